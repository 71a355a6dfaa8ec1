#!/usr/bin/env python3
"""Lists the panic branches left in a Cortex-M ELF and says whose source they come from.

usage: panic_sites.py ELF [--deny-under DIR]

Builds the call graph from the disassembly (direct calls and tail calls), finds every function
that can reach the panic handler, and reports each call into such a function from code that
is not the standard library's. Each site is attributed with its inline chain (addr2line -i) to
the innermost frame outside the standard library: a crate and a file:line. A site in code the
optimiser merged from several places (no line number) is reported as unattributed. With
--deny-under, exits 1 if any site is attributed to a file under DIR (jwt-core's own src/).
The link check in report.sh (a panic handler calling an undefined symbol) is the proof of
panic-freedom; this listing explains what remains where that proof fails.

Needs arm-none-eabi-objdump and arm-none-eabi-addr2line (Debian: binutils-arm-none-eabi).
"""
import collections
import re
import subprocess
import sys

FUNC = re.compile(r"^([0-9a-f]+) <(.*)>:$")
CALL = re.compile(r"^\s*([0-9a-f]+):\s+b(?:l|lx|\.w|\.n|)(?:eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(?:\.w|\.n)?\s+[0-9a-f]+ <([^>+]*)")
ROOTS = ("rust_begin_unwind", "core::panicking::panic_fmt", "core::panicking::panic_nounwind_fmt")
STD_SYMBOLS = ("core::", "<core::", "alloc::", "<alloc::", "compiler_builtins", "__rustc::")
HELPERS = re.compile(r"core::panicking::|rust_begin_unwind|slice_index_fail|slice_error_fail|"
                     r"unwrap_failed|expect_failed|len_mismatch_fail|panic_bounds_check|"
                     r"core::slice::copy_from_slice_impl|assert_failed|handle_alloc_error|"
                     r"alloc::raw_vec::handle_error|__rdl_alloc_error_handler|panic_already")
STD = ("/library/core/", "/library/alloc/", "/library/std/", "compiler_builtins")


def disassemble(elf):
    out = subprocess.run(
        ["arm-none-eabi-objdump", "-d", "-C", "--no-show-raw-insn", elf],
        check=True, capture_output=True, text=True).stdout
    calls, func = [], None
    for line in out.splitlines():
        m = FUNC.match(line)
        if m:
            func = m.group(2)
            continue
        m = CALL.match(line)
        if m and func and m.group(2) != func:
            calls.append((func, m.group(1), m.group(2)))
    return calls


def panicking(calls):
    callers = collections.defaultdict(set)
    for func, _, target in calls:
        callers[target].add(func)
    seen = {f for f in callers if any(root in f for root in ROOTS)}
    seen |= {f for _, _, t in calls for f in [t] if any(root in t for root in ROOTS)}
    todo = list(seen)
    while todo:
        for caller in callers[todo.pop()]:
            if caller not in seen:
                seen.add(caller)
                todo.append(caller)
    return seen


def attribute(elf, addrs):
    if not addrs:
        return {}
    out = subprocess.run(
        ["arm-none-eabi-addr2line", "-i", "-f", "-C", "-a", "-e", elf] + ["0x" + a for a in addrs],
        check=True, capture_output=True, text=True).stdout.splitlines()
    chains, current = {}, None
    for line in out:
        if line.startswith("0x"):
            current = line[2:].lstrip("0") or "0"
            chains[current] = []
        elif current is not None:
            chains[current].append(line)
    result = {}
    for addr, lines in chains.items():
        frames = list(zip(lines[0::2], lines[1::2]))
        own = [(f, loc) for f, loc in frames if not any(s in loc for s in STD) and "?" != loc.split(":")[0]]
        site = own[0] if own else frames[0] if frames else ("?", "?")
        # A frame without a line number is code the optimiser merged from several places
        # (one shared panic call for many bounds checks): it cannot be attributed.
        if site[1].endswith(":?"):
            site = (site[0], "?")
        result[addr] = site
    return result


def crate_of(location):
    if "/" not in location:
        return "unattributed"
    m = re.search(r"/registry/src/[^/]+/([^/]+?)-\d[^/]*/", location)
    return m.group(1) if m else location.rsplit("/src/", 1)[0].rsplit("/", 1)[-1]


def main():
    elf = sys.argv[1]
    deny = sys.argv[sys.argv.index("--deny-under") + 1] if "--deny-under" in sys.argv else None
    calls = disassemble(elf)
    reach = panicking(calls)
    def is_std(name):
        return name.startswith(STD_SYMBOLS) or any(r in name for r in ROOTS)

    def is_helper(name):
        return HELPERS.search(name) is not None

    # A site: a call into a standard-library function that can panic, made by code that is
    # not itself a panic helper. Calls from the standard library's own generic code (an
    # iterator or a pattern searcher instantiated for a caller) count too, attributed to
    # the innermost frame outside the standard library when the inline chain has one.
    sites = [(addr, func, target) for func, addr, target in calls
             if target in reach and is_std(target) and not is_helper(func)]
    where = attribute(elf, [a for a, _, _ in sites])
    by_place = collections.Counter()
    for addr, _, target in sites:
        func, loc = where.get(addr.lstrip("0"), ("?", "?"))
        short = re.sub(r".*/registry/src/[^/]+/", "", re.sub(r"^/rustc/[0-9a-f]+/", "", loc))
        by_place[(crate_of(loc), short, func)] += 1
    denied = 0
    for (crate, loc, func), n in sorted(by_place.items()):
        flag = ""
        if deny and loc.startswith(deny):
            flag, denied = "  <-- jwt-core", denied + n
            crate = "jwt-core"
        print(f"  {n:3} {crate:18} {loc}  {func[:90]}{flag}")
    crates = collections.Counter()
    for (crate, loc, _), n in by_place.items():
        crates["jwt-core" if deny and loc.startswith(deny) else crate] += n
    summary = ", ".join(f"{c} {n}" for c, n in sorted(crates.items())) or "none"
    print(f"  panic branches by crate: {summary}")
    if denied:
        print(f"  {denied} panic branch(es) in jwt-core's own code")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

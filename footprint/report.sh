#!/usr/bin/env bash
# Builds every firmware binary for thumbv7em-none-eabihf, runs each under QEMU (MPS2 AN386,
# Cortex-M4F), and prints per binary: flash (.vector_table + .text + .rodata + .data), RAM
# (.data + .bss), the peak stack of the measured call (stack painting), the heap peak, and the
# panic branches left (panic_sites.py). Then checks budgets.txt and panic-freedom:
#   - a measurement above its budget fails;
#   - a panic branch in jwt-core's own code (src/) fails, in any binary;
#   - `hs256-jws`, `hs256-validate` and `hs256-verify` must link with a panic handler that
#     calls an undefined symbol (the other verify binaries are tried and the result printed);
#   - the C images must link no `core::fmt`.
# Exit status 0 when everything holds. Output: a Markdown table; with --update-readme it also
# replaces the table in README.md (between its report.sh markers).
#
# Needs: rustup target thumbv7em-none-eabihf, qemu-system-arm, binutils-arm-none-eabi, python3.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

target=thumbv7em-none-eabihf
out=${CARGO_TARGET_DIR:-target}/$target/release
src=$(cd ../src && pwd)/
# binary:features, in the table's order; floors first in each group.
bins=(empty: hs256-floor-signature:hs256 hs256-floor:hs256 hs256-jws:hs256 hs256-validate:hs256
      hs256-verify:hs256 es256-floor:es256 es256-verify:es256 es256-sign:es256
      es384-floor:es384 es384-verify:es384 eddsa-floor:eddsa eddsa-verify:eddsa rs256-verify:rs256)

section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'; }

declare -A flash ram stack heap panics
failed=0
for entry in "${bins[@]}"; do
  bin=${entry%%:*} features=${entry#*:}
  cargo build --quiet --release --bin "$bin" ${features:+--features "$features"}
  elf=$out/$bin
  data=$(section "$elf" .data)
  flash[$bin]=$(( $(section "$elf" .vector_table) + $(section "$elf" .text) + $(section "$elf" .rodata) + data ))
  ram[$bin]=$(( data + $(section "$elf" .bss) + $(section "$elf" .uninit) ))
  run=$(timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
        -semihosting-config enable=on,target=native -kernel "$elf" 2>&1) || true
  if [[ $run =~ $bin\ ok\ stack=([0-9]+)\ heap=([0-9]+) ]]; then
    stack[$bin]=${BASH_REMATCH[1]} heap[$bin]=${BASH_REMATCH[2]}
  else
    echo "FAILED: $bin did not report success under QEMU:"; echo "$run" | tail -5
    failed=1; stack[$bin]=? heap[$bin]=?
  fi
  sites=$(python3 panic_sites.py "$elf" --deny-under "$src") || { echo "$sites"; echo "FAILED: $bin: panic branch in jwt-core"; failed=1; }
  panics[$bin]=$(echo "$sites" | sed -n 's/^  panic branches by crate: //p')
done

# The C firmware images (ffi/examples/cortex-m): C code linking jwt-core's C interface.
c_bins=(c-hs256-verify c-es256-verify)
c_skipped=
if command -v arm-none-eabi-gcc >/dev/null; then
  c_out=$(mkdir -p "${CARGO_TARGET_DIR:-target}/c-firmware" && cd "${CARGO_TARGET_DIR:-target}/c-firmware" && pwd)
  # Without the previous run's libraries and images, a static library that no longer builds
  # cannot leave an old image behind to be measured as if it were new.
  rm -f "$c_out"/c-*-verify "$c_out"/cargo-*/thumbv7em-none-eabihf/release/libjwt_core_ffi.a
  if ! bash ../ffi/examples/cortex-m/build.sh "$c_out" 2> >(grep -v -e "missing .note.GNU-stack" -e "NOTE: This behaviour" >&2); then
    echo "FAILED: the C firmware images did not build (ffi/examples/cortex-m/build.sh)"
    failed=1
  fi
  for bin in "${c_bins[@]}"; do
    elf=$c_out/$bin
    bins+=("$bin:")
    if [[ ! -e $elf ]]; then
      flash[$bin]=? ram[$bin]=? stack[$bin]=? heap[$bin]=? panics[$bin]="not built"
      continue
    fi
    data=$(section "$elf" .data)
    flash[$bin]=$(( $(section "$elf" .vector_table) + $(section "$elf" .text) + $(section "$elf" .rodata) + data ))
    ram[$bin]=$(( data + $(section "$elf" .bss) ))
    run=$(timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
          -semihosting-config enable=on,target=native -kernel "$elf" 2>&1) || true
    if [[ $run =~ $bin\ ok\ stack=([0-9]+)\ heap=([0-9]+) ]]; then
      stack[$bin]=${BASH_REMATCH[1]} heap[$bin]=${BASH_REMATCH[2]}
    else
      echo "FAILED: $bin did not report success under QEMU:"; echo "$run" | tail -5
      failed=1; stack[$bin]=? heap[$bin]=?
    fi
    panics[$bin]=$(python3 panic_sites.py "$elf" | sed -n 's/^  panic branches by crate: //p')
    # Panic messages are formatted by nothing: a `core::fmt` symbol means the static library
    # was built without LTO (build.sh) or a panic handler came to read its message.
    if arm-none-eabi-nm -C "$elf" | grep 'core::fmt::' >/dev/null; then
      echo "FAILED: $bin links core::fmt"; failed=1
    fi
  done
else
  echo "SKIPPED: C firmware images: arm-none-eabi-gcc (gcc-arm-none-eabi, libnewlib-arm-none-eabi) not installed"
  c_skipped=1
  for bin in "${c_bins[@]}"; do flash[$bin]=? ram[$bin]=? stack[$bin]=? heap[$bin]=? panics[$bin]=?; done
fi

table() {
  echo "| binary | flash (B) | RAM (B) | peak stack (B) | heap peak (B) | panic branches left (by crate) |"
  echo "|---|---:|---:|---:|---:|---|"
  for entry in "${bins[@]}"; do
    bin=${entry%%:*}
    echo "| \`$bin\` | ${flash[$bin]} | ${ram[$bin]} | ${stack[$bin]} | ${heap[$bin]} | ${panics[$bin]} |"
  done
  echo
  ratios=()
  for bin in hs256 es256 es384 eddsa; do
    ratios+=("$bin-verify $(python3 -c "print(f'{${flash[$bin-verify]}/${flash[$bin-floor]}:.2f}x')")")
  done
  echo "flash ratios to the floor: $(IFS=,; echo "${ratios[*]}" | sed 's/,/, /g')"
  if [[ ${flash[c-hs256-verify]} != "?" && ${flash[c-es256-verify]} != "?" ]]; then
    echo "C images to the Rust binaries: flash c-hs256-verify $(python3 -c "print(f'{${flash[c-hs256-verify]}/${flash[hs256-verify]}:.2f}x')"), \
c-es256-verify $(python3 -c "print(f'{${flash[c-es256-verify]}/${flash[es256-verify]}:.2f}x')"); \
stack $(python3 -c "print(f'{${stack[c-hs256-verify]}/${stack[hs256-verify]}:.2f}x')"), \
$(python3 -c "print(f'{${stack[c-es256-verify]}/${stack[es256-verify]}:.2f}x')")"
  fi
}
table
if [[ ${1:-} == --update-readme ]]; then
  table > table.md.tmp
  python3 - <<'PY'
readme = open("README.md").read()
table = open("table.md.tmp").read()
start = readme.index("\n", readme.index("<!-- report.sh writes this table")) + 1
end = readme.index("<!-- end of report.sh table -->")
open("README.md", "w").write(readme[:start] + table + readme[end:])
PY
  rm -f table.md.tmp
  echo "README.md table updated"
fi

echo
echo "budgets (budgets.txt):"
while read -r bin fb rb sb hb; do
  [[ -z $bin || $bin == \#* ]] && continue
  if [[ $bin == c-* && -n $c_skipped ]]; then echo "  $bin: SKIPPED (no arm-none-eabi-gcc)"; continue; fi
  over=0
  for pair in "flash ${flash[$bin]} $fb" "RAM ${ram[$bin]} $rb" "stack ${stack[$bin]} $sb" "heap ${heap[$bin]} $hb"; do
    set -- $pair
    if [[ $2 == "?" ]] || (( $2 > $3 )); then
      echo "  OVER BUDGET: $bin $1 = $2 > $3"; over=1; failed=1
    fi
  done
  (( over )) || echo "  $bin: within budget (flash ${flash[$bin]}/$fb, RAM ${ram[$bin]}/$rb, stack ${stack[$bin]}/$sb, heap ${heap[$bin]}/$hb)"
done < budgets.txt

echo
echo "panic-freedom: link with a panic handler that calls an undefined symbol"
linked=(hs256-jws:hs256 hs256-validate:hs256 hs256-verify:hs256 es256-verify:es256 es384-verify:es384
        eddsa-verify:eddsa rs256-verify:rs256)
for entry in "${linked[@]}"; do
  bin=${entry%%:*}
  if cargo build --quiet --release --bin "$bin" --features "${entry#*:},panic-link-check" 2>/dev/null; then
    echo "  $bin: links: no panic path survives optimisation"
  elif [[ $bin == hs256-* ]]; then
    echo "  FAILED: $bin: a panic path survives"; failed=1
  else
    echo "  $bin: does not link: the dependency panic branches listed above survive"
  fi
done
# Leave the measured (normal) builds in target/ for inspection.
for entry in "${linked[@]}"; do
  cargo build --quiet --release --bin "${entry%%:*}" --features "${entry#*:}"
done

if (( failed )); then echo; echo "footprint: FAILED"; exit 1; fi
echo; echo "footprint: all budgets hold"

#!/usr/bin/env bash
# Minimises committed corpora in place. The hand-made seeds (`seed-*`, most written by
# `cargo run --example fuzz_corpus`) all stay, under their names: tests replay some of them by
# name, and rerunning the example must not bring back what this removed. Every other file
# stays only if it is needed to reach the coverage (libFuzzer's features: edges and hit-count
# buckets) of the whole corpus: it is `cargo fuzz cmin` with the seeds fixed, and with
# libFuzzer's set-cover merge, whose kept set is about half the size of plain `-merge=1`'s and
# barely moves when minimised again (`-merge=1`'s greedy smallest-first pass sheds dozens more
# files at each rerun).
# Kept files are named by the SHA-1 of their content.
#
# Usage: fuzz/minimize.sh [TARGET...]   (default: every target; one at a time)
# Prints per target: files and bytes before and after, and the seconds the merge took.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
files() { find "$1" -maxdepth 1 -type f | wc -l; }
bytes() { find "$1" -maxdepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
for target in "${targets[@]}"; do
  corpus=corpus/$target
  [ -d "$corpus" ] || { echo "no corpus folder $corpus" >&2; exit 1; }
  before="$(files "$corpus") files, $(bytes "$corpus") bytes"
  aside=$(mktemp -d)
  log=$aside.log
  find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' -exec mv -t "$aside" {} +
  start=$SECONDS
  if ! cargo +nightly fuzz run "$target" "$corpus" "$aside" -- \
    -set_cover_merge=1 -max_len=4096 >"$log" 2>&1; then
    # Put the corpus back as it was (the merge only ever adds files to $corpus).
    find "$aside" -maxdepth 1 -type f -exec mv -f -t "$corpus" {} +
    tail -40 "$log"
    echo "FAILED: minimising $corpus (left as it was)" >&2
    exit 1
  fi
  seconds=$((SECONDS - start))
  rm -rf "$aside" "$log"
  echo "$target: $before -> $(files "$corpus") files, $(bytes "$corpus") bytes (${seconds} s)"
done

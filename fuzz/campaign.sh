#!/usr/bin/env bash
# Runs fuzz targets one after another for SECONDS each, with the dictionary, growing a working
# corpus outside the repository (seeded from fuzz/corpus/<target>), and prints per target:
# executions, executions per second, edges covered, and whether it found a crash.
#
# Usage: fuzz/campaign.sh SECONDS TARGET... (run two at once on a 2-core machine)
# Env:   WORK (default /tmp/jwt-core-fuzz): working corpora and logs.
# Finds reach fuzz/corpus only through fuzz/minimize.sh (fuzz/README.md, Corpora).
set -uo pipefail
cd "$(dirname "$0")"
seconds=$1
shift
work=${WORK:-/tmp/jwt-core-fuzz}
mkdir -p "$work/logs"
for target in "$@"; do
  mkdir -p "$work/corpus/$target"
  log="$work/logs/$target.log"
  cargo +nightly fuzz run "$target" "$work/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -dict=jwt.dict -max_len=4096 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  crash=$(grep -c 'Test unit written' "$log")
  echo "$target seconds=$seconds execs=${execs:-?} exec_per_sec=${rate:-?} edges=${cov:-?} crashes=$crash rc=$rc"
done

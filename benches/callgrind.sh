#!/usr/bin/env bash
# Instructions per call of each HS256 case (jwt-core and the lower bounds of ratios.rs),
# or of the named cases of another algorithm, counted by callgrind: they do not move with
# the machine's load. Each case runs twice, with 200 and 1,200 calls; the difference over
# 1,000 is the cost of one call, without the setup both runs share. SHA-256 runs in
# software under valgrind (no SHA-NI), so the HMAC's share is larger than on the hardware
# of the timed tables.
#   bash benches/callgrind.sh                                   # from the repository root
#   bash benches/callgrind.sh ES384                             # jwt-core and the floor
#   bash benches/callgrind.sh EdDSA jwt-core floor "floor verify_strict"
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "SKIPPED: instruction counts: valgrind is not installed"; exit 0; }
bin=$(cargo bench --bench ratios --no-run --message-format=json 2>/dev/null |
      python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "ratios" and m.get("executable"):
        print(m["executable"])')
group=${1:-HS256}
if [ $# -gt 1 ]; then
  cases=("${@:2}")
elif [ "$group" = HS256 ]; then
  cases=(jwt-core floor floor+base64 floor+base64+serde-json-core)
else
  cases=(jwt-core floor)
fi
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --calls "$1" "$group" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| $group case | instructions per call |"
echo "|---|---:|"
for case in "${cases[@]}"; do
  low=$(count 200 "$case") high=$(count 1200 "$case")
  printf '| %s | %s |\n' "$case" "$(( (high - low) / 1000 ))"
done

#!/usr/bin/env bash
# The load test: one server (src/main.rs) with the same handler behind no layer,
# jwt-core-tower (verified-token cache off and on) and jwt-authorizer 0.15, on 127.0.0.1;
# wrk sends the same RS256 or ES256 token to each in turn, for DURATION seconds after a
# WARMUP, over CONNECTIONS connections, ROUNDS times. Prints the Markdown table of
# tower/README.md (UPDATE_README=1 writes it there).
# The DPoP rows send an ES256 token bound to a DPoP key with a new proof per request: the
# server makes DPOP_RATE proofs per second of each wrk run beforehand (on every core, while
# nothing is measured), and dpop.lua sends each once. A run that sends them all fails: raise
# DPOP_RATE.
# Bounded: each wrk run stops after its duration, and the server is stopped at the end.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")"
duration=${DURATION:-10} warmup=${WARMUP:-2} connections=${CONNECTIONS:-32} threads=${THREADS:-1}
dpop_rate=${DPOP_RATE:-15000}
command -v wrk >/dev/null || { echo "SKIPPED: load test: wrk is not installed (apt-get install wrk)"; exit 0; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-../../target/load}
cargo build --release --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
binary=$CARGO_TARGET_DIR/release/jwt-core-tower-load
out=$(mktemp) proofs=$(mktemp) warmup_proofs=$(mktemp)
"$binary" "$port" >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out" "$proofs" "$warmup_proofs"' EXIT
for _ in $(seq 100); do grep -q '^listening' "$out" && break; sleep 0.1; done
rs256=$(sed -n 's/^token rs256 //p' "$out")
es256=$(sed -n 's/^token es256 //p' "$out")
export DPOP_TOKEN WRK_THREADS=$threads
DPOP_TOKEN=$(sed -n 's/^token dpop //p' "$out")

# One wrk run of SECONDS against URL with the rest of the arguments; fails on any answer
# but 2xx or 3xx (a refused DPoP proof among them).
run_wrk() {
  local seconds=$1 url=$2
  shift 2
  local report
  report=$(timeout $((seconds + 10)) wrk -t"$threads" -c"$connections" -d"${seconds}s" "$@" "$url")
  if grep -q 'Non-2xx' <<<"$report"; then
    echo "FAILED: $url: $(grep 'Non-2xx' <<<"$report") (a DPoP row that ran out of proofs needs a larger DPOP_RATE)" >&2
    exit 1
  fi
  echo "$report"
}

# One measurement: "requests/s p50 p99" of wrk against PATH with TOKEN as a bearer token,
# or with SCHEME dpop, DPoP_TOKEN and a new proof per request.
measure() {
  local path=$1 token=$2 scheme=${3:-bearer} auth=() check=()
  local url="http://127.0.0.1:$port$path"
  if [ "$scheme" = dpop ]; then
    "$binary" proofs 1 "$url" "$DPOP_TOKEN" >"$proofs"
    check=(-H "Authorization: DPoP $DPOP_TOKEN" -H "DPoP: $(cat "$proofs")")
    "$binary" proofs $((dpop_rate * warmup)) "$url" "$DPOP_TOKEN" >"$warmup_proofs"
    "$binary" proofs $((dpop_rate * duration)) "$url" "$DPOP_TOKEN" >"$proofs"
    auth=(-s dpop.lua)
  elif [ -n "$token" ]; then
    auth=(-H "Authorization: Bearer $token")
    check=("${auth[@]}")
  fi
  status=$(curl -s -o /dev/null -w '%{http_code}' "${check[@]}" "$url")
  [ "$status" = 200 ] || { echo "FAILED: $url answered $status" >&2; exit 1; }
  PROOFS=$warmup_proofs run_wrk "$warmup" "$url" "${auth[@]}" >/dev/null
  PROOFS=$proofs run_wrk "$duration" "$url" --latency "${auth[@]}" |
    awk '/^Requests\/sec:/ {rps=$2} $1 == "50%" {p50=$2} $1 == "99%" {p99=$2} END {print rps, p50, p99}'
}

# The machine's speed drifts: every layer is measured once per round, rounds interleave,
# and the table gives each layer's median round.
rounds=${ROUNDS:-3}
variants=("no auth|/none|" \
  "jwt-core-tower RS256, cache off|/jwt-core|$rs256" "jwt-core-tower RS256, cache on|/jwt-core-cached|$rs256" \
  "jwt-authorizer 0.15 RS256|/jwt-authorizer|$rs256" \
  "jwt-core-tower ES256, cache off|/jwt-core|$es256" "jwt-core-tower ES256, cache on|/jwt-core-cached|$es256" \
  "jwt-authorizer 0.15 ES256|/jwt-authorizer|$es256" \
  "jwt-core-tower DPoP ES256, cache off|/jwt-core||dpop" "jwt-core-tower DPoP ES256, cache on|/jwt-core-cached||dpop")
results=$(mktemp)
for round in $(seq "$rounds"); do
  for variant in "${variants[@]}"; do
    IFS='|' read -r label path token scheme <<<"$variant"
    # (An assignment, so that a failed measurement stops the script.)
    row=$(measure "$path" "$token" "$scheme")
    echo "$label|$row" >>"$results"
  done
done

table=$(
echo "Command: \`bash tower/load/run.sh\` (wrk -t$threads -c$connections, ${duration} s per measurement after ${warmup} s of warm-up, median of $rounds interleaved rounds; $(nproc) cores, server and wrk on the same machine; $(date -u +%Y-%m-%d))."
echo
python3 - "$results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    label, numbers = line.rstrip("\n").split("|")
    rps, p50, p99 = numbers.split()
    rows.setdefault(label, []).append((float(rps), p50, p99))
def median(label):
    runs = sorted(rows[label])
    return runs[len(runs) // 2]
base = median("no auth")[0]
print("| layer | requests/s | p50 | p99 | vs no auth | vs jwt-authorizer |")
print("|---|---:|---:|---:|---:|---:|")
for label in rows:
    rps, p50, p99 = median(label)
    # jwt-authorizer has no DPoP: its column compares bearer rows alone.
    alg = None if "DPoP" in label else "RS256" if "RS256" in label else "ES256" if "ES256" in label else None
    peer = median(f"jwt-authorizer 0.15 {alg}")[0] if alg else None
    versus = f"{rps / peer:.2f}x" if peer else ""
    print(f"| {label} | {rps:,.0f} | {p50} | {p99} | {rps / base:.0%} | {versus} |")
PY
)
echo "$table"
# UPDATE_README=1 writes the table into tower/README.md between its load markers.
if [ "${UPDATE_README:-0}" = 1 ]; then
  TABLE="$table" python3 - ../README.md <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
table = os.environ["TABLE"]
text = re.sub(r"(<!-- load:begin -->\n).*?(<!-- load:end -->)", lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
open(path, "w").write(text)
PY
fi
rm -f "$results"

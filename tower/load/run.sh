#!/usr/bin/env bash
# The load test: one server (src/main.rs) with the same handler behind no layer,
# jwt-core-tower (verified-token cache off and on) and jwt-authorizer 0.15, on 127.0.0.1;
# wrk sends the same RS256 or ES256 token to each in turn, for DURATION seconds after a
# WARMUP, over CONNECTIONS connections. Prints the Markdown table of tower/README.md.
# Bounded: each wrk run stops after its duration, and the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")"
duration=${DURATION:-10} warmup=${WARMUP:-2} connections=${CONNECTIONS:-32} threads=${THREADS:-1}
command -v wrk >/dev/null || { echo "SKIPPED: load test: wrk is not installed (apt-get install wrk)"; exit 0; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-../../target/load}
cargo build --release --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp)
"$CARGO_TARGET_DIR/release/jwt-core-tower-load" "$port" >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^listening' "$out" && break; sleep 0.1; done
rs256=$(sed -n 's/^token rs256 //p' "$out")
es256=$(sed -n 's/^token es256 //p' "$out")

# One row: requests/s, p50 and p99 latency of wrk against PATH with TOKEN.
row() {
  local label=$1 path=$2 token=$3 auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  local url="http://127.0.0.1:$port$path"
  status=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url")
  [ "$status" = 200 ] || { echo "FAILED: $label: $url answered $status"; exit 1; }
  timeout $((warmup + 10)) wrk -t"$threads" -c"$connections" -d"${warmup}s" "${auth[@]}" "$url" >/dev/null
  local report
  report=$(timeout $((duration + 10)) wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${auth[@]}" "$url")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$report")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  printf '| %s | %s | %s | %s |\n' "$label" "$rps" "$p50" "$p99"
}

echo "wrk -t$threads -c$connections -d${duration}s (after ${warmup}s warm-up), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| layer | requests/s | p50 | p99 |"
echo "|---|---:|---:|---:|"
row "no auth" /none ""
for alg in rs256 es256; do
  token=${!alg}
  row "jwt-core-tower ${alg^^}, cache off" /jwt-core "$token"
  row "jwt-core-tower ${alg^^}, cache on" /jwt-core-cached "$token"
  row "jwt-authorizer 0.15 ${alg^^}" /jwt-authorizer "$token"
done

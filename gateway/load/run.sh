#!/usr/bin/env bash
# The gateway's load test, on 127.0.0.1 only: wrk sends the same RS256 or ES256 token to
#   - nginx in front of an application (nginx `return 200`), no authentication;
#   - the same nginx asking jwt-gateway with auth_request (examples/nginx.conf's shape), the
#     gateway's verified-token cache on, then off;
#   - the same nginx asking another nginx location that answers 200 at once: what
#     auth_request itself costs nginx, the ceiling of any forward-auth server here;
#   - jwt-gateway itself proxying to the application (cache on);
#   - nginx with the C interface through LuaJIT (ffi/examples/nginx), in process;
#   - jwt-gateway proxying DPoP requests (the ES256 token bound to a DPoP key, a new proof
#     per request) with its replay store in memory, on one Redis, and on a Redis Cluster of
#     three masters (these rows need redis-server and redis-cli; SKIPPED without them). The
#     proofs are made beforehand, DPOP_RATE per second of each wrk run (tower/load/dpop.lua
#     sends each once; a row that runs out of them fails: raise DPOP_RATE);
# each for DURATION seconds after a WARMUP, over CONNECTIONS connections, ROUNDS times,
# rounds interleaved; the table gives each row's median round. Prints the Markdown table of
# gateway/README.md (UPDATE_README=1 writes it there).
# Bounded: every wrk run stops after its duration (and is killed 10 s past it), every
# server this script starts is stopped when it ends. Needs wrk and nginx (the LuaJIT row:
# nginx's Lua module); prints SKIPPED without them.
# GATEWAY_WORKERS=N runs the gateways with N tokio worker threads (TOKIO_WORKER_THREADS;
# default: one per core). The load average before and after is printed with the table: on a
# busy machine compare the rows of one run, not runs.
# A quick check that it works: DURATION=1 WARMUP=1 ROUNDS=1 bash gateway/load/run.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."
duration=${DURATION:-10} warmup=${WARMUP:-2} connections=${CONNECTIONS:-32} threads=${THREADS:-1}
rounds=${ROUNDS:-3} dpop_rate=${DPOP_RATE:-20000}
command -v wrk >/dev/null || { echo "SKIPPED: gateway load test: wrk is not installed (apt-get install wrk)"; exit 0; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "SKIPPED: gateway load test: nginx is not installed"; exit 0; }
modules=/usr/lib/nginx/modules
lua=; [ -e "$modules/ngx_http_lua_module.so" ] && lua=1
redis=; command -v redis-server >/dev/null && command -v redis-cli >/dev/null && redis=1
[ -n "$redis" ] || echo "SKIPPED: the DPoP rows: redis-server and redis-cli are not installed"

cargo build --release --quiet -p jwt-gateway --bin jwt-gateway --example load_tokens
[ -n "$lua" ] && cargo build --release --quiet -p jwt-core-ffi
gateway=target/release/jwt-gateway

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A cluster node also listens on its port + 10000, so its port must be below 55536.
cluster_port() {
  local port
  for _ in $(seq 100); do port=$(free_port); [ "$port" -lt 55536 ] && break; done
  echo "$port"
}
wait_port() {
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "FAILED: nothing listens on port $1" >&2
  tail -n 5 "$work"/gateway.log "$work"/redis-*/log >&2 2>/dev/null || true
  exit 1
}

target/release/examples/load_tokens "$work"
rs256=$(cat "$work/rs256.token") es256=$(cat "$work/es256.token") dpop=$(cat "$work/dpop.token")
app=$(free_port) front=$(free_port) front_cached=$(free_port) front_uncached=$(free_port)
cached=$(free_port) uncached=$(free_port) proxy=$(free_port) luajit=$(free_port)
front_stub=$(free_port) stub=$(free_port)
load_before=$(cut -d' ' -f1 /proc/loadavg)

# Three gateways: forward-auth with the token cache, without it, and the proxy. Per-request
# log lines are off (level warn), as nginx's access log is.
gateway_config() {
  cat <<EOF
listen = "127.0.0.1:$1"
token_cache = $2
$3
[log]
level = "warn"
[[provider]]
issuer = "https://idp.load.example"
jwks_file = "$work/jwks.json"
audiences = ["urn:orders"]
[[route]]
prefix = "/orders"
scopes = ["orders:read"]
EOF
}
gateway_config "$cached" 10000 "" >"$work/cached.toml"
gateway_config "$uncached" 0 "" >"$work/uncached.toml"
gateway_config "$proxy" 10000 "upstream = \"http://127.0.0.1:$app\"" >"$work/proxy.toml"
[ -n "${GATEWAY_WORKERS:-}" ] && export TOKIO_WORKER_THREADS=$GATEWAY_WORKERS
gateways=(cached uncached proxy)

# The DPoP rows: one Redis, a cluster of three masters, and a proxying gateway on each and
# on none (each remembering proofs for their lifetime, so none is refused for a full store).
if [ -n "$redis" ]; then
  redis_single=$(free_port) cluster_ports=("$(cluster_port)" "$(cluster_port)" "$(cluster_port)")
  dpop_memory=$(free_port) dpop_redis=$(free_port) dpop_cluster=$(free_port)
  for port in "$redis_single" "${cluster_ports[@]}"; do
    mkdir -p "$work/redis-$port"
    cluster=(); [ "$port" != "$redis_single" ] && cluster=(--cluster-enabled yes --cluster-config-file nodes.conf)
    redis-server --bind 127.0.0.1 --port "$port" --dir "$work/redis-$port" --save '' --appendonly no \
      "${cluster[@]}" >"$work/redis-$port/log" 2>&1 &
    pids+=($!)
  done
  for port in "$redis_single" "${cluster_ports[@]}"; do wait_port "$port"; done
  timeout 30 redis-cli --cluster create "${cluster_ports[@]/#/127.0.0.1:}" --cluster-replicas 0 \
    --cluster-yes >"$work/cluster.log" 2>&1 || { cat "$work/cluster.log" >&2; exit 1; }
  for _ in $(seq 100); do
    redis-cli -p "${cluster_ports[0]}" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
  # The in-memory store holds every proof of a run (its default is sized for a sustained
  # rate below this test's).
  dpop_config() { # PORT REDIS-TABLE
    gateway_config "$1" 10000 "upstream = \"http://127.0.0.1:$app\"
dpop_replay_capacity = 10000000
$2"
  }
  dpop_config "$dpop_memory" "" >"$work/dpop_memory.toml"
  dpop_config "$dpop_redis" "[redis]
url = \"redis://127.0.0.1:$redis_single\"" >"$work/dpop_redis.toml"
  dpop_config "$dpop_cluster" "[redis]
urls = [$(printf '"redis://127.0.0.1:%s", ' "${cluster_ports[@]}" | sed 's/, $//')]
cluster = true" >"$work/dpop_cluster.toml"
  gateways+=(dpop_memory dpop_redis dpop_cluster)
fi
for name in "${gateways[@]}"; do
  "$gateway" --config "$work/$name.toml" 2>>"$work/gateway.log" &
  pids+=($!)
done

# One nginx: the application, the front without authentication, and the fronts asking
# each forward-auth gateway.
front_server() { # PORT GATEWAY_PORT (none: no auth_request)
  echo "server { listen 127.0.0.1:$1 reuseport;"
  if [ -n "${2:-}" ]; then
    cat <<EOF
    location / {
        auth_request /_jwt_gateway;
        auth_request_set \$jwt_user \$upstream_http_x_user;
        proxy_set_header X-User \$jwt_user;
        proxy_pass http://application;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }
    location = /_jwt_gateway {
        internal;
        proxy_pass http://127.0.0.1:$2/auth;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-URI \$request_uri;
        proxy_set_header X-Original-Method \$request_method;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_set_header X-Forwarded-Host \$http_host;
    }
EOF
  else
    echo '    location / { proxy_pass http://application; proxy_http_version 1.1; proxy_set_header Connection ""; }'
  fi
  echo "}"
}
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream application { server 127.0.0.1:$app; keepalive 64; }
    server { listen 127.0.0.1:$app reuseport; location / { return 200 "ok\n"; } }
    server { listen 127.0.0.1:$stub reuseport; location / { return 200; } }
    $(front_server "$front")
    $(front_server "$front_stub" "$stub")
    $(front_server "$front_cached" "$cached")
    $(front_server "$front_uncached" "$uncached")
}
EOF
# The gateways and nginx reach their upstreams through keepalive pools of their own.
sed -i "s|proxy_pass http://127.0.0.1:\([0-9]*\)/auth;|proxy_pass http://gateway_\1/auth;|" "$work/nginx/nginx.conf"
for port in "$cached" "$uncached" "$stub"; do
  sed -i "s|^    upstream application|    upstream gateway_$port { server 127.0.0.1:$port; keepalive 64; }\n    upstream application|" "$work/nginx/nginx.conf"
done
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>>"$work/nginx/error.log" &
pids+=($!)

# The C interface in nginx's LuaJIT, as ffi/examples/nginx runs it, with the same keys.
if [ -n "$lua" ]; then
  mkdir -p "$work/luajit"
  sed -e "s|\${MODULES}|$modules|g" -e "s|\${PREFIX}|$work/luajit|g" \
      -e "s|\${EXAMPLE}|$PWD/ffi/examples/nginx|g" -e "s|\${LIBRARY}|$PWD/target/release/libjwt_core_ffi.so|g" \
      -e "s|\${HEADER}|$PWD/ffi/include/jwt_core.h|g" -e "s|\${JWKS}|$work/jwks.json|g" \
      -e "s|\${ISSUER}|https://idp.load.example|g" -e "s|\${AUDIENCE}|urn:orders|g" \
      -e "s|\${PORT}|$luajit|g" ffi/examples/nginx/nginx.conf >"$work/luajit/nginx.conf"
  "$nginx" -p "$work/luajit" -c "$work/luajit/nginx.conf" 2>>"$work/luajit/error.log" &
  pids+=($!)
fi

for port in "$app" "$front" "$front_cached" "$front_uncached" "$cached" "$uncached" "$proxy" "$front_stub"; do wait_port "$port"; done
[ -n "$lua" ] && wait_port "$luajit"
[ -n "$redis" ] && for port in "$dpop_memory" "$dpop_redis" "$dpop_cluster"; do wait_port "$port"; done

# One wrk run of SECONDS against URL with the rest of the arguments; fails on any answer
# but 2xx or 3xx.
run_wrk() {
  local seconds=$1 url=$2 report
  shift 2
  report=$(timeout $((seconds + 10)) wrk -t"$threads" -c"$connections" -d"${seconds}s" "$@" "$url")
  if grep -q 'Non-2xx' <<<"$report"; then
    echo "FAILED: $url: $(grep 'Non-2xx' <<<"$report")" >&2
    exit 1
  fi
  echo "$report"
}

# One measurement: "requests/s p50 p99" of URL with TOKEN as a bearer token (none: no
# Authorization header), or, with SCHEME dpop, as a DPoP token with a new proof per request.
measure() {
  local url=$1 token=$2 scheme=${3:-} auth=() check=() status
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token") check=("${auth[@]}")
  if [ "$scheme" = dpop ]; then
    target/release/examples/load_tokens proofs 1 "$url" "$token" >"$work/proofs"
    check=(-H "Authorization: DPoP $token" -H "DPoP: $(cat "$work/proofs")")
    target/release/examples/load_tokens proofs $((dpop_rate * warmup)) "$url" "$token" >"$work/warmup_proofs"
    target/release/examples/load_tokens proofs $((dpop_rate * duration)) "$url" "$token" >"$work/proofs"
    auth=(-s tower/load/dpop.lua)
    export DPOP_TOKEN=$token WRK_THREADS=$threads
  fi
  status=$(curl -s -o /dev/null -w '%{http_code}' "${check[@]}" "$url")
  [ "$status" = 200 ] || { echo "FAILED: $url answered $status" >&2; exit 1; }
  PROOFS=$work/warmup_proofs run_wrk "$warmup" "$url" "${auth[@]}" >/dev/null
  PROOFS=$work/proofs run_wrk "$duration" "$url" --latency "${auth[@]}" |
    awk '/^Requests\/sec:/ {rps=$2} $1 == "50%" {p50=$2} $1 == "99%" {p99=$2} END {print rps, p50, p99}'
}

variants=("nginx, no auth|http://127.0.0.1:$front/orders|"
  "nginx auth_request + nginx return 200 (ceiling)|http://127.0.0.1:$front_stub/orders|$rs256")
for alg in RS256 ES256; do
  token=$rs256; [ "$alg" = ES256 ] && token=$es256
  variants+=("nginx auth_request + jwt-gateway $alg, cache on|http://127.0.0.1:$front_cached/orders|$token"
    "nginx auth_request + jwt-gateway $alg, cache off|http://127.0.0.1:$front_uncached/orders|$token"
    "jwt-gateway proxy $alg, cache on|http://127.0.0.1:$proxy/orders|$token")
  [ -n "$lua" ] && variants+=("nginx + LuaJIT, C interface $alg|http://127.0.0.1:$luajit/orders|$token")
done
[ -n "$redis" ] && variants+=(
  "jwt-gateway proxy DPoP ES256, replay store in memory|http://127.0.0.1:$dpop_memory/orders|$dpop|dpop"
  "jwt-gateway proxy DPoP ES256, replay store on Redis|http://127.0.0.1:$dpop_redis/orders|$dpop|dpop"
  "jwt-gateway proxy DPoP ES256, replay store on a Redis Cluster (3 masters)|http://127.0.0.1:$dpop_cluster/orders|$dpop|dpop")
results=$work/results
for round in $(seq "$rounds"); do
  for variant in "${variants[@]}"; do
    IFS='|' read -r label url token scheme <<<"$variant"
    measured=$(measure "$url" "$token" "$scheme")
    echo "$round|$label|$measured" >>"$results"
  done
done

load_after=$(cut -d' ' -f1 /proc/loadavg)
table=$(python3 - "$results" "$duration" "$warmup" "$connections" "$threads" "$rounds" \
  "${GATEWAY_WORKERS:-}" "$load_before" "$load_after" <<'EOF'
import datetime, statistics, sys
path, duration, warmup, connections, threads, rounds, workers, load_before, load_after = sys.argv[1:]
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
rows = {}
for line in open(path):
    _, label, measured = line.rstrip("\n").split("|")
    rps, p50, p99 = measured.split()
    rows.setdefault(label, []).append((float(rps), ms(p50), ms(p99)))
def median(label):
    runs = sorted(rows[label])
    return runs[len(runs) // 2]
base_rps, base_p50, base_p99 = median("nginx, no auth")
command = f"GATEWAY_WORKERS={workers} bash gateway/load/run.sh" if workers else "bash gateway/load/run.sh"
workers = f"{workers} worker threads" if workers else "a worker thread per core"
print(f"Command: `{command}` (wrk -t{threads} -c{connections}, {duration} s per "
      f"measurement after {warmup} s of warm-up, median of {rounds} interleaved rounds; "
      f"loopback; the gateways with {workers}; load average {load_before} before, "
      f"{load_after} after; {datetime.date.today()}).")
print()
print("| path | requests/s | p50 | p99 | vs nginx no auth | p99 added |")
print("|---|---:|---:|---:|---:|---:|")
for label in rows:
    rps, p50, p99 = median(label)
    added = "" if label == "nginx, no auth" else f"{p99 - base_p99:+.2f} ms"
    print(f"| {label} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {rps / base_rps:.0%} | {added} |")
memory = "jwt-gateway proxy DPoP ES256, replay store in memory"
if memory in rows:
    _, m50, m99 = median(memory)
    print()
    for label in rows:
        if label.startswith("jwt-gateway proxy DPoP") and label != memory:
            _, p50, p99 = median(label)
            where = label.split("replay store ")[1]
            print(f"- DPoP with the replay store {where}: p50 {p50 - m50:+.2f} ms, "
                  f"p99 {p99 - m99:+.2f} ms beside the store in memory.")
EOF
)
echo "$table"
if [ "${UPDATE_README:-0}" = 1 ]; then
  python3 - gateway/README.md "$table" <<'EOF'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
start, end = text.index("<!-- load:begin -->"), text.index("<!-- load:end -->")
open(path, "w").write(text[: start + len("<!-- load:begin -->")] + "\n" + table + "\n" + text[end:])
EOF
  echo "gateway/README.md: table written"
fi

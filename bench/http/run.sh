#!/usr/bin/env bash
# bench/http — wrk against the gateway: GET /healthz (the in-process
# ceiling: nng only) and a routed GET /v1/cases/CS-1 (nng → bus thread →
# broker → worker → back), printing req/s, p50, p99 and the ratio.
# The routed service and personnel are played by bench/http's worker until
# the real services are ready. Usage: bench/http/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench/http: wrk is not installed" >&2; exit 1; }
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$build/bench/http/worker.o" "$build/libcommon.a"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SM_REDIS__PORT=$(free_port) SM_BROKER__PORT=$(free_port)
export SM_HUB__PUB_PORT=$(free_port) SM_HUB__SUB_PORT=$(free_port)
export SM_GATEWAY__PORT=$(free_port) SM_GATEWAY__ROUTES="cases=intake staff=personnel"
export SM_GATEWAY__RATE_PER_S=10000000 SM_GATEWAY__BURST=10000000
export SM_LOG__LEVEL=${SM_LOG__LEVEL:-warn} LOG_LEVEL=${LOG_LEVEL:-warn}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# The Makefile's bench rule links build/<v>/bench/http, which is also the
# object directory; link the worker here until that is fixed.
worker=$tmp/worker
cc -pthread -o "$worker" "$build/bench/http/worker.o" "$build/libcommon.a" \
  $(pkg-config --libs libczmq libzmq jansson hiredis libsodium) -lnng -lm
redis-server --port "$SM_REDIS__PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$tmp" --logfile "$tmp/redis.log" & pids+=($!)
"$bin/broker" >"$tmp/broker.log" 2>&1 & pids+=($!)
"$bin/hub" >"$tmp/hub.log" 2>&1 & pids+=($!)
ep="tcp://127.0.0.1:$SM_BROKER__PORT"
"$worker" "$ep" personnel >"$tmp/w1.log" 2>&1 & pids+=($!)
"$worker" "$ep" intake >"$tmp/w2.log" 2>&1 & pids+=($!)
"$bin/gateway" >"$tmp/gateway.log" 2>&1 & pids+=($!)
base="http://127.0.0.1:$SM_GATEWAY__PORT"
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer bench' \
    "$base/v1/cases/CS-1" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "bench/http: routed GET never answered 200 ($code)" >&2; exit 1; }

# One wrk run: prints "req/s p50_ms p99_ms".
run() {
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" 2>&1 | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%.0f %.3f %.3f\n", rps, ms(p50), ms(p99)}'
}
read -r h_rps h_p50 h_p99 < <(run "$base/healthz")
read -r r_rps r_p50 r_p99 < <(run -H 'Authorization: Bearer bench' "$base/v1/cases/CS-1")
printf '%-28s %10s %10s %10s %8s\n' target req/s p50_ms p99_ms ratio
printf '%-28s %10s %10s %10s %8s\n' "GET /healthz (ceiling)" "$h_rps" "$h_p50" "$h_p99" 1.00
printf '%-28s %10s %10s %10s %8.2f\n' "GET /v1/cases/CS-1 (routed)" "$r_rps" "$r_p50" "$r_p99" \
  "$(awk -v a="$r_rps" -v b="$h_rps" 'BEGIN{print (b>0)?a/b:0}')"
echo "(routed: bench/http worker plays intake and personnel; $connections connections, $threads wrk threads, $duration; $(nproc) CPUs)"

#!/usr/bin/env bash
# bench/http — wrk against the gateway , all in one run:
#   GET  /healthz               the in-process ceiling (nng only)
#   GET  /v1/staff/ST-1         routed to the real personnel service (Redis)
#   POST /v1/departments        real personnel, a unique code and
#                               Idempotency-Key per request (wrk Lua)
#   GET  /v1/cases/CS-1         routed to bench-bin/http, a worker that
#                               answers at once: the platform's own cost
#                               (gateway → broker → worker → back)
# Authentication is personnel's bootstrap token (SM_PERSONNEL__BOOTSTRAP_TOKEN).
# Prints req/s, p50, p99, non-2xx and each ratio to the ceiling. Bounded:
# DURATION per wrk run (default 10s). Usage: bench/http/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
. bench/lib/stack.sh
bench_tools http wrk redis-server redis-cli curl python3
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/personnel" "$build/bench-bin/http"
bench_ports http
bench_redis
bench_start broker "$bin/broker"
bench_start hub "$bin/hub"
bench_start personnel "$bin/personnel"
bench_start worker "$build/bench-bin/http" "tcp://127.0.0.1:$SM_BROKER__PORT" intake
bench_start gateway "$bin/gateway"

base="http://127.0.0.1:$SM_GATEWAY__PORT"
auth="Authorization: Bearer $token"
# Wait until the whole path answers (personnel resolves the token).
bench_wait_http http "$base/v1/staff/ST-1"
bench_wait_http http "$base/v1/cases/CS-1"

# POST /v1/departments: each request creates a department with its own
# code and Idempotency-Key (thread number + counter: unique in the run).
cat >"$tmp/departments.lua" <<LUA
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  n = 0
  run = tostring(os.time())
end
function request()
  n = n + 1
  local code = string.format("b%s_%d_%d", run, tid, n)
  local body = string.format('{"code":"%s","name":"Bench %d"}', code, n)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer $token",
    ["Idempotency-Key"] = "bench-" .. code,
  }
  return wrk.format("POST", "/v1/departments", headers, body)
end
LUA

# One wrk run: prints "req/s p50_ms p99_ms non2xx".
run() {
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" 2>&1 | awk '
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad=$NF}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%.0f %.3f %.3f %d\n", rps, ms(p50), ms(p99), bad}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }
read -r h_rps h_p50 h_p99 h_bad < <(run "$base/healthz")
read -r s_rps s_p50 s_p99 s_bad < <(run -H "$auth" "$base/v1/staff/ST-1")
read -r d_rps d_p50 d_p99 d_bad < <(run -s "$tmp/departments.lua" "$base/v1/departments")
read -r e_rps e_p50 e_p99 e_bad < <(run -H "$auth" "$base/v1/cases/CS-1")
created=$(redis-cli -p "$SM_REDIS__PORT" --scan --pattern 'sm:{personnel}:department:b*' | wc -l)

row() { printf '%-34s %9s %9s %9s %7s %7s\n' "$@"; }
row target req/s p50_ms p99_ms non2xx ratio
row "GET /healthz (ceiling)" "$h_rps" "$h_p50" "$h_p99" "$h_bad" 1.00
row "GET /v1/staff/ST-1" "$s_rps" "$s_p50" "$s_p99" "$s_bad" "$(ratio "$s_rps" "$h_rps")"
row "POST /v1/departments" "$d_rps" "$d_p50" "$d_p99" "$d_bad" "$(ratio "$d_rps" "$h_rps")"
row "GET /v1/cases/CS-1 (echo worker)" "$e_rps" "$e_p50" "$e_p99" "$e_bad" "$(ratio "$e_rps" "$h_rps")"
echo "(personnel is the real service; the echo worker (bench-bin/http) answers at once, so its row is gateway + broker alone; $created departments created; $connections connections, $threads wrk threads, $duration; $(nproc) CPUs)"

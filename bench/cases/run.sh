#!/usr/bin/env bash
# bench/cases — intake through the gateway, with webdis as the reference
# for "HTTP in, one Redis command":
#   1. wrk POST /v1/cases and GET /v1/cases/<id> via the gateway
#      (gateway → broker → intake → Redis; token from personnel's bootstrap)
#   2. wrk against webdis: GET /SET/<key>/<value> and GET /GET/<key>
#   3. 1,000,000 cases stored through cm_store (bench-bin/cases load), then
#      the first page of GET /v1/cases, 1,000 calls over MDP: p50 / p99
#      (plain, and with two combined filters), plus wrk on the same list
#      through the gateway.
# Prints req/s, p50, p99 and the ratios. Bounded: DURATION per wrk run
# (default 10s), CASES loaded (default 1000000).
# Usage: bench/cases/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
cases=${CASES:-1000000}
calls=${CALLS:-1000}
. bench/lib/stack.sh
bench_tools cases wrk webdis redis-server redis-cli curl python3
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/intake" "$bin/personnel" "$build/bench-bin/cases"
bench_ports cases
bench_redis
for program in broker hub personnel intake gateway; do
  bench_start "$program" "$bin/$program"
done
bench_webdis

base="http://127.0.0.1:$SM_GATEWAY__PORT"
auth="Authorization: Bearer $token"
body='{"kind":"inquiry","channel":"phone","customer":{"name":"Bench","phone":"+86 10 5555 0000"},"subject":"Bench","description":"wrk"}'
code=000
for _ in $(seq 100); do
  code=$(curl -s -o "$tmp/created.json" -w '%{http_code}' -H "$auth" \
    -H 'Content-Type: application/json' -d "$body" "$base/v1/cases" || true)
  [ "$code" = 201 ] && break
  sleep 0.1
done
[ "$code" = 201 ] || { echo "bench/cases: POST /v1/cases never answered 201 ($code)" >&2;
  tail -3 "$tmp/gateway.log" "$tmp/intake.log" >&2; exit 1; }
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/created.json")

cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
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
if [ "${WRK:-1}" = 1 ]; then
read -r c_rps c_p50 c_p99 c_bad < <(run -s "$tmp/post.lua" "$base/v1/cases")
read -r r_rps r_p50 r_p99 r_bad < <(run -H "$auth" "$base/v1/cases/$id")
read -r ws_rps ws_p50 ws_p99 ws_bad < <(run "http://127.0.0.1:$webdis_port/SET/bench/value")
read -r wg_rps wg_p50 wg_p99 wg_bad < <(run "http://127.0.0.1:$webdis_port/GET/bench")

printf '%-34s %9s %9s %9s %7s %7s\n' target req/s p50_ms p99_ms non2xx ratio
printf '%-34s %9s %9s %9s %7s %7s\n' "webdis GET /SET/bench/value" "$ws_rps" "$ws_p50" "$ws_p99" "$ws_bad" 1.00
printf '%-34s %9s %9s %9s %7s %7s\n' "webdis GET /GET/bench" "$wg_rps" "$wg_p50" "$wg_p99" "$wg_bad" 1.00
printf '%-34s %9s %9s %9s %7s %7s\n' "POST /v1/cases (vs SET)" "$c_rps" "$c_p50" "$c_p99" "$c_bad" "$(ratio "$c_rps" "$ws_rps")"
printf '%-34s %9s %9s %9s %7s %7s\n' "GET /v1/cases/$id (vs GET)" "$r_rps" "$r_p50" "$r_p99" "$r_bad" "$(ratio "$r_rps" "$wg_rps")"
echo "(targets: create >= 0.40, read >= 0.50 of webdis, p99 <= 5 ms; $connections connections, $threads wrk threads, $duration; $(nproc) CPUs; one redis-server without AOF serves both)"
fi

# The list with a million cases, loaded through the store.
first=$(( $(redis-cli -p "$SM_REDIS__PORT" GET 'sm:{intake}:counter:case') + 1 ))
"$build/bench-bin/cases" load "$SM_REDIS__PORT" "$cases" "$first"
redis-cli -p "$SM_REDIS__PORT" SET 'sm:{intake}:counter:case' $((first + cases)) >/dev/null
echo "index sm:{intake}:idx:cases holds $(redis-cli -p "$SM_REDIS__PORT" ZCARD 'sm:{intake}:idx:cases') cases"
ep="tcp://127.0.0.1:$SM_BROKER__PORT"
echo -n "first page, limit=50:                     "
"$build/bench-bin/cases" list "$ep" "$calls" limit=50
echo -n "first page, kind=complaint&state=recorded: "
"$build/bench-bin/cases" list "$ep" "$calls" limit=50 kind=complaint state=recorded
if [ "${WRK:-1}" = 1 ]; then
  read -r l_rps l_p50 l_p99 l_bad < <(run -H "$auth" "$base/v1/cases?limit=50")
  printf '%-34s %9s %9s %9s %7s\n' "wrk GET /v1/cases?limit=50" "$l_rps" "$l_p50" "$l_p99" "$l_bad"
fi
echo "(list target: p99 <= 5 ms over $calls calls with $cases cases stored)"

#!/usr/bin/env bash
# bench/stack — the request path measured as deployed, with webdis (HTTP in,
# one Redis command) as the reference in the same run:
#   - release binaries, every service running (dispatch reacts to every new
#     case), Redis with AOF everysec reached over its Unix socket as `make
#     run` does (webdis too), info-level JSON logs to stdout (each process's
#     stdout goes to a file, as a container engine collects it);
#   - wrk: webdis SET and GET, then POST /v1/cases, GET /v1/cases/<id>,
#     GET /v1/cases?limit=50 and an action (answer) on cases created before;
#   - the event cascade of a create: case committed (intake's created_at) to
#     dispatch's reaction committed (its record of the case, with the SLA
#     clocks), p50/p99 over the cases of the create run;
#   - each process's share of the CPU during each run (utime+stime from
#     /proc), so the next bottleneck shows, and the CPU the host stole
#     during each run (steal time), which makes a run's figures say little;
#   - Redis's commands per request during each run and the three costliest
#     (INFO commandstats);
#   - then the same with intake ×2 and dispatch ×2.
# Prints req/s, p50, p99, errors (non-2xx and socket errors) and the ratios
# to webdis. Nothing asserts on time. Bounded by DURATION per run (10s).
# Usage: bench/stack/run.sh [BUILD_DIR]; PHASES=1 runs the first phase only,
# IPC=1 puts the broker and the hub on Unix sockets, EMBED=0 runs a broker
# process (the default, as `make run` deploys on one host, is the broker in
# the gateway).
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
. bench/lib/stack.sh
bench_tools stack wrk webdis redis-server redis-cli curl python3
# Every program of the source tree, built; the stack runs each but the
# tools, as `make run` does: the broker, the hub, every service, the gateway.
programs=() services=()
for main in services/*/main.c; do
  name=$(basename "$(dirname "$main")")
  programs+=("$bin/$name")
  case $name in broker | hub | gateway | stationmaster-*) ;;
  *) services+=("$name") ;; esac
done
make --no-print-directory -s VARIANT="$(basename "$build")" "${programs[@]}"
bench_ports stack
export LOG_LEVEL=${LOG_LEVEL:-info} LOG_FORMAT=${LOG_FORMAT:-json}
export SM_SAFETY__CHECKPOINT_FILE=$tmp/checkpoints.jsonl SM_SAFETY__KEY_FILE=$tmp/signing.key

# As `make run` deploys on one host: the services and webdis reach Redis
# over its Unix socket (REDIS_SOCKET=0: loopback TCP for all).
redis_args=(--appendonly yes --appendfsync everysec --maxmemory-policy noeviction)
redis_host=127.0.0.1
if [ "${REDIS_SOCKET:-1}" = 1 ]; then
  redis_args+=(--unixsocket "$tmp/redis.sock" --unixsocketperm 700)
  redis_host=$tmp/redis.sock
  export SM_REDIS__HOST=$redis_host
fi
bench_redis "${redis_args[@]}"
# IPC=1: the broker and the hub on Unix sockets in a directory
# (broker/host and hub/host an absolute path), not loopback TCP.
if [ "${IPC:-0}" = 1 ]; then
  mkdir -p "$tmp/zmq"
  export SM_BROKER__HOST=$tmp/zmq SM_BROKER__BIND=$tmp/zmq
  export SM_HUB__HOST=$tmp/zmq SM_HUB__BIND=$tmp/zmq
fi
# The broker runs inside the gateway (gateway/embed_broker), as `make run`
# has it; EMBED=0: a broker process, as docker/compose.yml has it.
if [ "${EMBED:-1}" = 1 ]; then
  export SM_GATEWAY__EMBED_BROKER=true
else
  bench_start broker "$bin/broker"
fi
bench_start hub "$bin/hub"
for s in "${services[@]}"; do bench_start "$s" "$bin/$s"; done
bench_start gateway "$bin/gateway"
bench_webdis "$redis_host"

base="http://127.0.0.1:$SM_GATEWAY__PORT"
auth="Authorization: Bearer $token"
body='{"kind":"inquiry","channel":"phone","customer":{"name":"Bench","phone":"+86 10 5555 0000"},"subject":"Bench","description":"wrk"}'
code=000
for _ in $(seq 150); do
  code=$(curl -s -o "$tmp/created.json" -w '%{http_code}' -H "$auth" \
    -H 'Content-Type: application/json' -d "$body" "$base/v1/cases" || true)
  [ "$code" = 201 ] && break
  sleep 0.1
done
[ "$code" = 201 ] || { echo "bench/stack: POST /v1/cases never answered 201 ($code)" >&2;
  tail -3 "$tmp/gateway.log" "$tmp/intake.log" >&2; exit 1; }
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/created.json")
# Wait until every service has a worker (the readiness probe says so).
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break
  sleep 0.1
done

cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
# The action: answer cases created by the create run, each once, in order
# (ids read from a file; every connection takes the next one).
cat >"$tmp/answer.lua" <<LUA
local ids = {}
for line in io.lines("$tmp/ids") do ids[#ids + 1] = line end
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
end
function request()
  counter = counter + $threads
  local id = ids[(counter % #ids) + 1]
  return wrk.format("POST", "/v1/cases/" .. id .. "/answer",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"},
    '{"answer":"bench answer"}')
end
LUA

# CPU ticks (utime+stime) of every process, as "label ticks" lines.
cpu_ticks() {
  local label
  for label in "${!bench_pid[@]}"; do
    local pid=${bench_pid[$label]}
    [ -r "/proc/$pid/stat" ] || continue
    awk -v l="$label" '{print l, $14 + $15}' "/proc/$pid/stat"
  done
}
hz=$(getconf CLK_TCK)
# One wrk run: prints "req/s p50_ms p99_ms errors" and, to $tmp/cpu.<name>,
# each process's CPU share of the run (percent of one core) and the CPU
# stolen by the host during it.
run() {
  local name=$1
  shift
  cpu_ticks >"$tmp/cpu.before"
  redis-cli -p "$SM_REDIS__PORT" INFO commandstats >"$tmp/cmd.before"
  local steal0=$(bench_steal_ticks)
  local t0=$(date +%s.%N)
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$tmp/wrk.$name" 2>&1
  local t1=$(date +%s.%N)
  cpu_ticks >"$tmp/cpu.after"
  redis-cli -p "$SM_REDIS__PORT" INFO commandstats >"$tmp/cmd.after"
  redis_per_request "$name"
  local stolen=$(( $(bench_steal_ticks) - steal0 ))
  awk -v hz="$hz" -v secs="$(echo "$t1 - $t0" | bc)" -v stolen="$stolen" '
    NR == FNR {before[$1] = $2; next}
    ($1 in before) {d = ($2 - before[$1]) / hz / secs * 100; if (d >= 0.5) printf "%s %.0f%%  ", $1, d}
    END {printf "(stolen by the host: %.1f s)\n", stolen / hz}' "$tmp/cpu.before" "$tmp/cpu.after" >"$tmp/cpu.$name"
  awk '
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad+=$NF}
    /Socket errors/ {gsub(",", ""); bad+=$4+$6+$8+$10}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%.0f %.3f %.3f %d\n", rps, ms(p50), ms(p99), bad}' "$tmp/wrk.$name"
}
# Redis's side of a run, per request: the commands it ran and the three
# costliest, from INFO commandstats before and after the run (the commands a
# Function runs count on their own too, and their time is also in the
# fcall's); into $tmp/redis.<name>.
redis_per_request() { # name
  python3 - "$tmp/cmd.before" "$tmp/cmd.after" "$tmp/wrk.$1" >"$tmp/redis.$1" <<'PY'
import re, sys
def stats(path):
    out = {}
    for line in open(path):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+)", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out
before, after = stats(sys.argv[1]), stats(sys.argv[2])
m = re.search(r"(\d+) requests in", open(sys.argv[3]).read())
n = int(m.group(1)) if m else 0
if n == 0:
    print("no requests")
    sys.exit()
delta = {k: (c - before.get(k, (0, 0))[0], u - before.get(k, (0, 0))[1])
         for k, (c, u) in after.items()}
delta.pop("info", None)
calls = sum(c for c, _ in delta.values()) / n
top = sorted(delta.items(), key=lambda kv: -kv[1][1])[:3]
print(f"{calls:.1f} commands per request; costliest: "
      + ", ".join(f"{k} {c / n:.1f}x {u / n:.0f} us" for k, (c, u) in top))
PY
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }
row() { # label req/s p50 p99 errors ratio
  printf '%-30s %9s %9s %9s %7s %6s\n' "$@"
}

# The cascade: for each case of the create run, the time from the case's
# created_at (intake's commit) to the updated_at of dispatch's record of it
# (dispatch's commit of its reaction to intake.case.created: the case's SLA
# clocks and queue entry). Reads both documents straight from Redis.
cascade() { # file of case ids
  python3 - "$SM_REDIS__PORT" "$1" <<'PY'
import json, subprocess, sys, datetime
port, ids_file = sys.argv[1], sys.argv[2]
def docs(keys):
    """HGET doc of each key through one pipelined redis-cli; None where
    there is none."""
    if not keys:
        return []
    out = subprocess.run(["redis-cli", "-p", port, "--raw"],
                         input="".join(f"HGET {k} doc\n" for k in keys),
                         capture_output=True, text=True).stdout.splitlines()
    return [json.loads(line) if line.startswith("{") else None for line in out]
def ms(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
case_ids = open(ids_file).read().split()
made = docs(["sm:{intake}:case:" + i for i in case_ids])
seen = docs(["sm:{dispatch}:case:" + i for i in case_ids])
lat, missing = [], 0
for case, record in zip(made, seen):
    if case is None:
        continue
    if record is None:
        missing += 1
    else:
        lat.append(ms(record["updated_at"]) - ms(case["created_at"]))
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(len(lat) * p))] if lat else float("nan")
print(f"{len(lat)} {pct(0.5):.1f} {pct(0.99):.1f} {missing}")
PY
}

phase() { # title
  local title=$1
  echo "== $title ($connections connections, $threads wrk threads, $duration per run, $(nproc) CPUs)"
  read -r ws_rps ws_p50 ws_p99 ws_bad < <(run webdis_set "http://127.0.0.1:$webdis_port/SET/bench/value")
  read -r wg_rps wg_p50 wg_p99 wg_bad < <(run webdis_get "http://127.0.0.1:$webdis_port/GET/bench")
  local before_cases after_cases
  before_cases=$(redis-cli -p "$SM_REDIS__PORT" GET 'sm:{intake}:counter:case')
  read -r c_rps c_p50 c_p99 c_bad < <(run create -s "$tmp/post.lua" "$base/v1/cases")
  after_cases=$(redis-cli -p "$SM_REDIS__PORT" GET 'sm:{intake}:counter:case')
  sleep 2 # let dispatch catch up before the cascade is counted
  seq -f 'CS-%.0f' $((before_cases + 1)) "$after_cases" >"$tmp/created"
  read -r n k50 k99 missing < <(cascade "$tmp/created")
  read -r r_rps r_p50 r_p99 r_bad < <(run read -H "$auth" "$base/v1/cases/$id")
  read -r l_rps l_p50 l_p99 l_bad < <(run list -H "$auth" "$base/v1/cases?limit=50")
  # The action's targets: this phase's share of the loaded inquiries.
  sed -n "${2}p" "$tmp/inquiries" | tr ' ' '\n' >"$tmp/ids"
  read -r a_rps a_p50 a_p99 a_bad < <(run answer -s "$tmp/answer.lua" "$base")
  row target req/s p50_ms p99_ms errors ratio
  row "webdis SET" "$ws_rps" "$ws_p50" "$ws_p99" "$ws_bad" 1.00
  row "webdis GET" "$wg_rps" "$wg_p50" "$wg_p99" "$wg_bad" 1.00
  row "POST /v1/cases (vs SET)" "$c_rps" "$c_p50" "$c_p99" "$c_bad" "$(ratio "$c_rps" "$ws_rps")"
  row "GET /v1/cases/<id> (vs GET)" "$r_rps" "$r_p50" "$r_p99" "$r_bad" "$(ratio "$r_rps" "$wg_rps")"
  row "GET /v1/cases?limit=50" "$l_rps" "$l_p50" "$l_p99" "$l_bad" "$(ratio "$l_rps" "$wg_rps")"
  row "POST /v1/cases/<id>/answer" "$a_rps" "$a_p50" "$a_p99" "$a_bad" "$(ratio "$a_rps" "$ws_rps")"
  echo "cascade case committed by intake -> its record committed by dispatch: $n cases, p50 $k50 ms, p99 $k99 ms, $missing without a work order"
  local name
  for name in create read list answer; do
    echo "cpu during $name: $(cat "$tmp/cpu.$name")"
    echo "redis during $name: $(cat "$tmp/redis.$name")"
  done
  echo "(goal of this step: create >= 0.15, read >= 0.30 of webdis, p99 <= 10 ms, no errors, cascade p99 <= 50 ms)"
}

# Inquiries to answer, loaded through intake's own store code (answering
# each once; a phase answers at most LOAD/6 of them).
load=${LOAD:-600000}
first=$(( $(redis-cli -p "$SM_REDIS__PORT" GET 'sm:{intake}:counter:case') + 1 ))
"$build/bench-bin/cases" load "$SM_REDIS__PORT" "$load" "$first" >/dev/null
redis-cli -p "$SM_REDIS__PORT" SET 'sm:{intake}:counter:case' $((first + load - 1)) >/dev/null
# The load grows the AOF past Redis's rewrite threshold; the runs start
# after the rewrite that follows (a fork of a Redis holding the load and a
# child writing it all out), so none of them measures it. The load itself
# stays in Redis (3.6 GB), and on these hosts that alone takes webdis's GET
# p99 from about 2.5 ms to 17-66 ms (docs/architecture.md §12).
aof_busy() {
  redis-cli -p "$SM_REDIS__PORT" INFO persistence |
    grep -Eq '^aof_rewrite_(in_progress|scheduled):1'
}
waited=0
sleep 1
while aof_busy && [ "$waited" -lt 300 ]; do sleep 1; waited=$((waited + 1)); done
echo "(loaded $load cases; waited ${waited}s for Redis's AOF rewrite after the load)"
# The loader makes every third case an inquiry (numbers divisible by 3):
# two lines, one per phase.
python3 - "$first" "$load" >"$tmp/inquiries" <<'PY'
import sys
first, load = int(sys.argv[1]), int(sys.argv[2])
ids = [f"CS-{n}" for n in range(first, first + load) if n % 3 == 0]
half = len(ids) // 2
print(" ".join(ids[:half]))
print(" ".join(ids[half:]))
PY

phase "one replica of each service" 1
[ "${PHASES:-2}" -ge 2 ] || exit 0
bench_start intake.2 "$bin/intake"
bench_start dispatch.2 "$bin/dispatch"
sleep 1
phase "intake x2, dispatch x2" 2

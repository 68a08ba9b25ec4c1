#!/usr/bin/env bash
# bench/search — full-text case search through the gateway over CASES cases
# (default 1,000,000). The cases are stored directly through intake's
# commit path (bench-bin/search load: the same document, index, word index
# and counter writes a POST makes, pipelined; through HTTP a million
# records would take the better part of an hour on this machine), then
# CALLS searches of two random words (and CALLS of "water" plus a word, a
# common word with a rare one) go through gateway → broker → intake on one
# keep-alive connection: p50 / p99 / max of every call and of every search
# (a short page with a cursor is followed until 50 items or the end).
# Target: p99 ≤ 10 ms.
# Usage: bench/search/run.sh [BUILD_DIR]
# To compare builds on the same data without loading it again:
#   SEARCH_REDIS_PORT=<port> — a redis-server already loaded by
#   `BUILD_DIR/bench-bin/search load <port> <count>` (left running; nothing
#   is loaded then); SEARCH_NO_MAKE=1 — run BUILD_DIR's binaries as they
#   are (a saved build; otherwise they are made first).
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
cases=${CASES:-1000000}
calls=${CALLS:-2000}
. bench/lib/stack.sh
bench_tools search redis-server redis-cli curl python3
if [ -z "${SEARCH_NO_MAKE:-}" ]; then
  make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
    "$bin/hub" "$bin/intake" "$bin/personnel" "$build/bench-bin/search"
fi
bench_ports search
if [ -n "${SEARCH_REDIS_PORT:-}" ]; then
  export SM_REDIS__PORT=$SEARCH_REDIS_PORT
  cases=$(redis-cli -p "$SM_REDIS__PORT" DBSIZE | tr -d '\r')
  cases="(reused redis: $cases keys)"
else
  bench_redis
  "$build/bench-bin/search" load "$SM_REDIS__PORT" "$cases"
fi
for program in broker hub personnel intake gateway; do
  bench_start "$program" "$bin/$program"
done
base="http://127.0.0.1:$SM_GATEWAY__PORT"
bench_wait_http search "$base/v1/cases?q=water&limit=1"

sample=$(curl -s -H "Authorization: Bearer $token" "$base/v1/cases?q=kalomi+water&limit=50" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]), "items, next_cursor", "set" if d["next_cursor"] else "null")')
echo "sample q=kalomi+water: $sample"
echo "searches through the gateway ($cases cases, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), redis without AOF):"
# The CPU the host took back during the searches: the tail follows it.
steal_before=$(bench_steal_ticks)
"$build/bench-bin/search" query "$SM_GATEWAY__PORT" "$token" "$calls" 7
echo "cpu stolen by the host during the searches: $(awk -v t="$(( $(bench_steal_ticks) - steal_before ))" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f s", t/hz}')"
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')," \
  "keys $(redis-cli -p "$SM_REDIS__PORT" DBSIZE)," \
  "cases with kalomi $(for b in $(seq 0 $((1000000 / 8192))); do echo "SCARD sm:{intake}:idx:case_word:kalomi:$b"; done |
    redis-cli -p "$SM_REDIS__PORT" | awk '{s += $1} END {print s}')," \
  "encoding of a bucket $(redis-cli -p "$SM_REDIS__PORT" OBJECT ENCODING 'sm:{intake}:idx:case_word:kalomi:1')"

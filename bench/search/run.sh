#!/usr/bin/env bash
# bench/search — full-text case search through the gateway over CASES cases
# (default 1,000,000). The cases are stored directly through intake's
# commit path (bench-bin/search load: the same document, index, word index
# and counter writes a POST makes, pipelined; through HTTP a million
# records would take the better part of an hour on this machine), then
# CALLS searches of two random words (and CALLS of "water" plus a word, a
# common word with a rare one) go through gateway → broker → intake on one
# keep-alive connection: p50 / p99 / max. Target: p99 ≤ 10 ms.
# Usage: bench/search/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
cases=${CASES:-1000000}
calls=${CALLS:-2000}
for tool in redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/search: $tool is not installed" >&2; exit 1; }
done
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/intake" "$bin/personnel" "$build/bench-bin/search"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SM_REDIS__PORT=$(free_port) SM_BROKER__PORT=$(free_port)
export SM_HUB__PUB_PORT=$(free_port) SM_HUB__SUB_PORT=$(free_port)
export SM_GATEWAY__PORT=$(free_port)
export SM_GATEWAY__RATE_PER_S=10000000 SM_GATEWAY__BURST=10000000
export SM_PERSONNEL__BOOTSTRAP_TOKEN=smt_bench_search_bootstrap_token_0123456789ab
export LOG_LEVEL=${LOG_LEVEL:-warn}
token=$SM_PERSONNEL__BOOTSTRAP_TOKEN
tmp=$(mktemp -d)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

redis-server --port "$SM_REDIS__PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$tmp" --logfile "$tmp/redis.log" & pids+=($!)
for _ in $(seq 50); do redis-cli -p "$SM_REDIS__PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$build/bench-bin/search" load "$SM_REDIS__PORT" "$cases"
"$bin/broker" >"$tmp/broker.log" 2>&1 & pids+=($!)
"$bin/hub" >"$tmp/hub.log" 2>&1 & pids+=($!)
"$bin/personnel" >"$tmp/personnel.log" 2>&1 & pids+=($!)
"$bin/intake" >"$tmp/intake.log" 2>&1 & pids+=($!)
"$bin/gateway" >"$tmp/gateway.log" 2>&1 & pids+=($!)

base="http://127.0.0.1:$SM_GATEWAY__PORT"
code=000
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "$base/v1/cases?q=water&limit=1" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "bench/search: intake never answered ($code)" >&2;
  tail -3 "$tmp/gateway.log" "$tmp/intake.log" >&2; exit 1; }

sample=$(curl -s -H "Authorization: Bearer $token" "$base/v1/cases?q=kalomi+water&limit=50" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]), "items, next_cursor", "set" if d["next_cursor"] else "null")')
echo "sample q=kalomi+water: $sample"
echo "searches through the gateway ($cases cases, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), redis without AOF):"
"$build/bench-bin/search" query "$SM_GATEWAY__PORT" "$token" "$calls" 7
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')," \
  "keys $(redis-cli -p "$SM_REDIS__PORT" DBSIZE)," \
  "cases with kalomi $(redis-cli -p "$SM_REDIS__PORT" ZCARD 'sm:{intake}:idx:case_word:kalomi')"

#!/usr/bin/env bash
# bench/inventory — the inventory service through the gateway: issues of
# one unit (POST /v1/stock/movements) on CONNECTIONS keep-alive connections
# over ITEMS items until the ledger holds ENTRIES issue entries (default
# 1,000,000), printing issues/s for every STEP (default 100,000) and the
# p50/p99 of GET /v1/stock?item= measured meanwhile: both must stay flat as
# the ledger grows (balances are bounded counters; nothing reads the
# ledger on the write path). Prints Redis memory at the end.
# Usage: bench/inventory/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
entries=${ENTRIES:-1000000}
step=${STEP:-100000}
connections=${CONNECTIONS:-16}
items=${ITEMS:-100}
for tool in redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/inventory: $tool is not installed" >&2; exit 1; }
done
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/inventory" "$bin/personnel" "$build/bench-bin/inventory"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SM_REDIS__PORT=$(free_port) SM_BROKER__PORT=$(free_port)
export SM_HUB__PUB_PORT=$(free_port) SM_HUB__SUB_PORT=$(free_port)
export SM_GATEWAY__PORT=$(free_port)
export SM_GATEWAY__RATE_PER_S=10000000 SM_GATEWAY__BURST=10000000
export SM_PERSONNEL__BOOTSTRAP_TOKEN=smt_bench_inventory_bootstrap_token_0123456789
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
"$bin/broker" >"$tmp/broker.log" 2>&1 & pids+=($!)
"$bin/hub" >"$tmp/hub.log" 2>&1 & pids+=($!)
"$bin/personnel" >"$tmp/personnel.log" 2>&1 & pids+=($!)
"$bin/inventory" >"$tmp/inventory.log" 2>&1 & pids+=($!)
"$bin/gateway" >"$tmp/gateway.log" 2>&1 & pids+=($!)

base="http://127.0.0.1:$SM_GATEWAY__PORT"
H=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
code=000
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" "$base/v1/items" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "bench/inventory: inventory never answered ($code)" >&2;
  tail -3 "$tmp/gateway.log" "$tmp/inventory.log" >&2; exit 1; }

# The station head keeps the store; every item gets enough for its share.
per_item=$(( entries / items + 1 ))
for n in $(seq "$items"); do
  curl -s -o /dev/null "${H[@]}" -X POST "$base/v1/items" \
    -d "{\"name\":\"Bench $n\",\"unit\":\"piece\",\"category\":\"bench\",\"location\":\"main-store\"}"
  curl -s -o /dev/null "${H[@]}" -X POST "$base/v1/stock/movements" \
    -d "{\"item\":\"IT-$n\",\"kind\":\"receipt\",\"quantity\":$per_item}"
done

echo "issues through the gateway ($connections connections, $items items, $(nproc) CPUs, redis without AOF):"
"$build/bench-bin/inventory" issue "$SM_GATEWAY__PORT" "$token" "$items" "$entries" "$step" "$connections"
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')," \
  "keys $(redis-cli -p "$SM_REDIS__PORT" DBSIZE)," \
  "ledger of IT-1 $(redis-cli -p "$SM_REDIS__PORT" XLEN 'sm:{inventory}:ledger:item:IT-1')"

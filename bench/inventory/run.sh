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
. bench/lib/stack.sh
bench_tools inventory redis-server redis-cli curl python3
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/inventory" "$bin/personnel" "$build/bench-bin/inventory"
bench_ports inventory
bench_redis
for program in broker hub personnel inventory gateway; do
  bench_start "$program" "$bin/$program"
done
base="http://127.0.0.1:$SM_GATEWAY__PORT"
H=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
bench_wait_http inventory "$base/v1/items"

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

#!/usr/bin/env bash
# bench/finance — the finance service through the gateway:
#   1. journal appends: POST /v1/journal on CONNECTIONS keep-alive
#      connections until the journal holds ENTRIES entries (default
#      1,000,000), printing entries/s for every STEP (default 100,000): the
#      curve must stay flat as the journal grows (balances are counters and
#      stamped postings; nothing reads the history).
#   2. reconciliation: a statement of LINES lines (default 100,000; every
#      (ENTRIES/LINES)-th entry as the bank saw it, 1 in 50 with a wrong
#      amount) matched against every posting of the bank account (all
#      ENTRIES of them) in process (reconciliation_run): time and peak RSS.
# Prints Redis memory at the end. Usage: bench/finance/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
entries=${ENTRIES:-1000000}
step=${STEP:-100000}
connections=${CONNECTIONS:-16}
lines=${LINES:-100000}
for tool in redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/finance: $tool is not installed" >&2; exit 1; }
done
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/finance" "$bin/personnel" "$build/bench-bin/finance"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SM_REDIS__PORT=$(free_port) SM_BROKER__PORT=$(free_port)
export SM_HUB__PUB_PORT=$(free_port) SM_HUB__SUB_PORT=$(free_port)
export SM_GATEWAY__PORT=$(free_port)
export SM_GATEWAY__RATE_PER_S=10000000 SM_GATEWAY__BURST=10000000
export SM_PERSONNEL__BOOTSTRAP_TOKEN=smt_bench_finance_bootstrap_token_0123456789abcd
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
"$bin/finance" >"$tmp/finance.log" 2>&1 & pids+=($!)
"$bin/gateway" >"$tmp/gateway.log" 2>&1 & pids+=($!)

base="http://127.0.0.1:$SM_GATEWAY__PORT"
code=000
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "$base/v1/accounts/1002" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "bench/finance: finance never answered ($code)" >&2;
  tail -3 "$tmp/gateway.log" "$tmp/finance.log" >&2; exit 1; }

echo "journal appends through the gateway ($connections connections, $(nproc) CPUs, redis without AOF):"
"$build/bench-bin/finance" append "$SM_GATEWAY__PORT" "$token" "$entries" "$step" "$connections"
curl -s -H "Authorization: Bearer $token" "$base/v1/accounts/1002/balance"; echo
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')," \
  "keys $(redis-cli -p "$SM_REDIS__PORT" DBSIZE)," \
  "journal $(redis-cli -p "$SM_REDIS__PORT" XLEN 'sm:{finance}:ledger:journal')," \
  "postings of 1002 $(redis-cli -p "$SM_REDIS__PORT" XLEN 'sm:{finance}:ledger:account:1002')"
stride=$(( entries / lines > 0 ? entries / lines : 1 ))
echo "reconciliation ($lines statement lines, every ${stride}th entry, 1 in 50 altered):"
"$build/bench-bin/finance" reconcile "$SM_REDIS__PORT" "$lines" "$stride"

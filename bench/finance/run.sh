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
. bench/lib/stack.sh
bench_tools finance redis-server redis-cli curl python3
make --no-print-directory -s VARIANT="$variant" "$bin/gateway" "$bin/broker" \
  "$bin/hub" "$bin/finance" "$bin/personnel" "$build/bench-bin/finance"
bench_ports finance
bench_redis
for program in broker hub personnel finance gateway; do
  bench_start "$program" "$bin/$program"
done
base="http://127.0.0.1:$SM_GATEWAY__PORT"
bench_wait_http finance "$base/v1/accounts/1002"

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

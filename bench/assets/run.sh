#!/usr/bin/env bash
# bench/assets — PLANS maintenance plans (default 100,000) all due at once,
# with REPLICAS assets processes (default 2) and one dispatch: the time
# until every work order exists in dispatch, work orders per second, and
# duplicates (work requests and work orders beyond one per plan). The
# plans are written straight into Redis by the bench binary; the stack is
# redis (no AOF), broker, hub, personnel (the station head and the
# management department its org views need), assets and dispatch.
# Usage: bench/assets/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
bin=$build/bin
variant=$(basename "$build")
plans=${PLANS:-100000}
replicas=${REPLICAS:-2}
. bench/lib/stack.sh
bench_tools assets redis-server redis-cli python3
make --no-print-directory -s VARIANT="$variant" "$bin/broker" "$bin/hub" \
  "$bin/personnel" "$bin/assets" "$bin/dispatch" "$build/bench-bin/assets"
bench_ports assets
bench_redis
for program in broker hub personnel dispatch; do
  bench_start "$program" "$bin/$program"
done
for n in $(seq "$replicas"); do
  bench_start "assets-$n" "$bin/assets"
done
# dispatch's org view knows the management department (the bootstrap).
for _ in $(seq 100); do
  [ "$(redis-cli -p "$SM_REDIS__PORT" EXISTS 'sm:{dispatch}:org:department:management')" = 1 ] && break
  sleep 0.1
done
echo "maintenance plans due at once ($replicas assets replicas, 1 dispatch, $(nproc) CPUs, $variant build, redis without AOF):"
"$build/bench-bin/assets" "$SM_REDIS__PORT" "$plans"
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')"

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
for tool in redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "bench/assets: $tool is not installed" >&2; exit 1; }
done
make --no-print-directory -s VARIANT="$variant" "$bin/broker" "$bin/hub" \
  "$bin/personnel" "$bin/assets" "$bin/dispatch" "$build/bench-bin/assets"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export SM_REDIS__PORT=$(free_port) SM_BROKER__PORT=$(free_port)
export SM_HUB__PUB_PORT=$(free_port) SM_HUB__SUB_PORT=$(free_port)
export SM_PERSONNEL__BOOTSTRAP_TOKEN=smt_bench_assets_bootstrap_token_0123456789ab
export LOG_LEVEL=${LOG_LEVEL:-warn}
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
"$bin/dispatch" >"$tmp/dispatch.log" 2>&1 & pids+=($!)
for n in $(seq "$replicas"); do
  "$bin/assets" >"$tmp/assets-$n.log" 2>&1 & pids+=($!)
done
# dispatch's org view knows the management department (the bootstrap).
for _ in $(seq 100); do
  [ "$(redis-cli -p "$SM_REDIS__PORT" EXISTS 'sm:{dispatch}:org:department:management')" = 1 ] && break
  sleep 0.1
done
echo "maintenance plans due at once ($replicas assets replicas, 1 dispatch, $(nproc) CPUs, $variant build, redis without AOF):"
"$build/bench-bin/assets" "$SM_REDIS__PORT" "$plans"
echo "redis: $(redis-cli -p "$SM_REDIS__PORT" INFO memory | grep -E '^used_memory_human' | tr -d '\r')"

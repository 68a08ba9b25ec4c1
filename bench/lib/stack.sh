# bench/lib/stack.sh — what every bench/<name>/run.sh starts from (sourced
# after `set -euo pipefail`). On sourcing: $tmp (a temp dir, removed at
# exit) and a trap that stops every process started here, newest first.
#   bench_tools NAME TOOL...      exit naming the first tool not installed
#   bench_ports NAME              free ports for redis, the broker, the hub
#                                 and the gateway as SM_* variables, the
#                                 gateway's rate and per-address connection
#                                 limits out of the way,
#                                 personnel's bootstrap token (also $token),
#                                 LOG_LEVEL warn unless set
#   bench_free_port               a TCP port free a moment ago
#   bench_redis [ARG...]          a private redis-server in $tmp without
#                                 persistence (ARGs add to or override it),
#                                 waited for until it answers PING
#   bench_start LABEL CMD...      a background process, its output in
#                                 $tmp/LABEL.log, its pid in bench_pid[LABEL]
#   bench_webdis [REDIS_HOST]     webdis, the reference, on $webdis_port
#   bench_wait_http NAME URL [CODE]
#                                 poll URL with the token until it answers
#                                 CODE (200), else show the logs and exit
#   bench_steal_ticks             CPU the host took back so far (ticks)
tmp=$(mktemp -d)
bench_pids=()
declare -A bench_pid=()
bench_stop() {
  for ((i = ${#bench_pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${bench_pids[$i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap bench_stop EXIT

bench_tools() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench/$name: $tool is not installed" >&2; exit 1; }
  done
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_ports() {
  SM_REDIS__PORT=$(bench_free_port) SM_BROKER__PORT=$(bench_free_port)
  SM_HUB__PUB_PORT=$(bench_free_port) SM_HUB__SUB_PORT=$(bench_free_port)
  SM_GATEWAY__PORT=$(bench_free_port)
  export SM_REDIS__PORT SM_BROKER__PORT SM_HUB__PUB_PORT SM_HUB__SUB_PORT SM_GATEWAY__PORT
  export SM_GATEWAY__RATE_PER_S=10000000 SM_GATEWAY__BURST=10000000
  # wrk's connections and the readiness polls all come from 127.0.0.1.
  export SM_GATEWAY__MAX_CONNECTIONS_PER_CLIENT=100000
  export SM_PERSONNEL__BOOTSTRAP_TOKEN="smt_bench_${1}_bootstrap_token_0123456789abcdef"
  export LOG_LEVEL=${LOG_LEVEL:-warn}
  token=$SM_PERSONNEL__BOOTSTRAP_TOKEN
}

bench_start() {
  local label=$1
  shift
  "$@" >"$tmp/$label.log" 2>&1 &
  bench_pids+=($!)
  bench_pid[$label]=$!
}

# CPU the hypervisor took back so far (steal, the 8th field of /proc/stat's
# cpu line), in clock ticks: a run during which it grew much says little.
bench_steal_ticks() { awk '/^cpu /{print $9}' /proc/stat; }

bench_redis() {
  bench_start redis redis-server --port "$SM_REDIS__PORT" --bind 127.0.0.1 \
    --save "" --appendonly no --set-max-intset-entries 8192 \
    --stream-node-max-bytes 1024 --dir "$tmp" "$@"
  for _ in $(seq 50); do redis-cli -p "$SM_REDIS__PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "bench: redis-server did not answer" >&2
  exit 1
}

bench_wait_http() {
  local name=$1 url=$2 want=${3:-200} code=000
  for _ in $(seq 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url" || true)
    [ "$code" = "$want" ] && return
    sleep 0.1
  done
  echo "bench/$name: $url never answered $want ($code)" >&2
  tail -n 3 "$tmp"/*.log >&2
  exit 1
}

# bench_webdis [REDIS_HOST]: webdis (HTTP in, one Redis command: the
# reference) on a free port ($webdis_port) in front of the bench's Redis
# (REDIS_HOST: 127.0.0.1, or the path of its Unix socket).
bench_webdis() {
  webdis_port=$(bench_free_port)
  cat >"$tmp/webdis.json" <<JSON
{"redis_host": "${1:-127.0.0.1}", "redis_port": $SM_REDIS__PORT,
 "http_host": "127.0.0.1", "http_port": $webdis_port, "threads": 2,
 "pool_size": 4, "daemonize": false, "websockets": false, "database": 0,
 "verbosity": 0, "logfile": "$tmp/webdis-own.log"}
JSON
  bench_start webdis webdis "$tmp/webdis.json"
}

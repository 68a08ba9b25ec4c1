# compose-lib.sh — shared by scripts/compose-smoke and scripts/compose-faults
# (sourced, not run). Finds or makes a container engine that docker-compose
# can drive, builds the images, starts and stops a compose project.
#
# Engine: a Docker daemon when `docker info` answers, else Podman (installed
# with apt-get when missing, as root) serving its Docker-compatible API on a
# private socket. No file under /etc is changed: Podman reads
# $SM_CT_DIR/containers.conf through CONTAINERS_CONF.
#
# Variables (all optional):
#   SM_COMPOSE_PROJECT  compose project name (default smsmoke)
#   SM_HTTP_PORT        host port nginx publishes (default 18480)
#   SM_LOCAL_IMAGES     1: build redis and nginx from Debian packages
#                       (localhost/sm-redis, localhost/sm-nginx); 0: use
#                       SM_REDIS_IMAGE / SM_NGINX_IMAGE (default redis:7,
#                       nginx:stable) from a registry; auto (default): 1
#                       when `redis:7` cannot be pulled.
#   SM_CT_DIR           working directory (default /var/tmp/sm-compose)

SM_CT_DIR=${SM_CT_DIR:-/var/tmp/sm-compose}
SM_COMPOSE_PROJECT=${SM_COMPOSE_PROJECT:-smsmoke}
SM_HTTP_PORT=${SM_HTTP_PORT:-18480}
SM_LOCAL_IMAGES=${SM_LOCAL_IMAGES:-auto}
SM_ENGINE=
SM_API_PID=
SM_HEALTH_PID=
export COMPOSE_PROJECT_NAME=$SM_COMPOSE_PROJECT SM_HTTP_PORT
export SM_REDIS_PASSWORD=${SM_REDIS_PASSWORD:-smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
export SM_BOOTSTRAP_TOKEN=${SM_BOOTSTRAP_TOKEN:-smt_smoke_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}

say() { printf '%s compose: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

ct() { # the engine's own CLI (podman or docker)
  if [ "$SM_ENGINE" = podman ]; then podman "$@"; else docker "$@"; fi
}

dc() { # docker-compose against the engine, with the deployment's files
  docker-compose -p "$SM_COMPOSE_PROJECT" -f docker/compose.yml \
    ${SM_COMPOSE_EXTRA:+-f "$SM_COMPOSE_EXTRA"} "$@"
}

need_packages() { # apt-get install the packages not installed yet
  local missing=() p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root or install them"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
    >"$SM_CT_DIR/apt.log" 2>&1 || { tail -5 "$SM_CT_DIR/apt.log"; die "apt-get"; }
}

engine_setup() {
  mkdir -p "$SM_CT_DIR"
  need_packages docker-compose curl jq
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    SM_ENGINE=docker
    say "engine: Docker ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
    return 0
  fi
  SM_ENGINE=podman
  need_packages podman runc netavark aardvark-dns catatonit iptables debootstrap
  # Why each line (docs/deploy.md, "Podman"): crun fails on cgroup v1
  # hybrid hosts; ulimits must stay at or below the host's hard limits;
  # netavark + aardvark-dns resolve names on `internal` networks.
  # Modest values that sandboxes and CI runners allow (their hard limits
  # can be lower than the host's).
  local nofile=20000 nproc=4096
  [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $nofile ] && nofile=$(ulimit -Hn)
  cat >"$SM_CT_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
EOF
  export CONTAINERS_CONF=$SM_CT_DIR/containers.conf
  local sock=$SM_CT_DIR/podman.sock
  export DOCKER_HOST=unix://$sock
  if ! curl -fsS --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
    rm -f "$sock"
    podman system service --time=0 "unix://$sock" >"$SM_CT_DIR/api.log" 2>&1 &
    SM_API_PID=$!
    for _ in $(seq 50); do
      curl -fsS --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    curl -fsS --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 \
      || die "podman API socket did not come up ($SM_CT_DIR/api.log)"
  fi
  say "engine: Podman $(podman version -f '{{.Server.Version}}' 2>/dev/null) API at $sock"
}

# Podman runs healthchecks from systemd timers; without systemd they never
# run and `depends_on: service_healthy` waits for ever. Run them ourselves.
health_loop_start() {
  [ "$SM_ENGINE" = podman ] || return 0
  [ -n "$SM_HEALTH_PID" ] && return 0
  (
    while :; do
      for c in $(podman ps -q --filter "label=com.docker.compose.project=$SM_COMPOSE_PROJECT" 2>/dev/null); do
        podman healthcheck run "$c" >/dev/null 2>&1 &
      done
      wait
      sleep 2
    done
  ) &
  SM_HEALTH_PID=$!
}

engine_cleanup() {
  if [ -n "$SM_HEALTH_PID" ]; then
    kill "$SM_HEALTH_PID" 2>/dev/null
    wait "$SM_HEALTH_PID" 2>/dev/null
    SM_HEALTH_PID=
  fi
  if [ -n "$SM_API_PID" ]; then
    kill "$SM_API_PID" 2>/dev/null
    wait "$SM_API_PID" 2>/dev/null
    SM_API_PID=
  fi
}

# debian:bookworm(-slim) from debootstrap when no registry gives it.
base_image() {
  [ "$SM_ENGINE" = podman ] || return 0
  if podman image exists docker.io/library/debian:bookworm-slim \
     && podman image exists docker.io/library/debian:bookworm; then
    return 0
  fi
  if podman pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1 \
     && podman pull -q docker.io/library/debian:bookworm >/dev/null 2>&1; then
    return 0
  fi
  local root=$SM_CT_DIR/rootfs
  if [ ! -x "$root/bin/sh" ]; then
    say "no registry: debootstrap bookworm (about a minute)"
    rm -rf "$root"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
      >"$SM_CT_DIR/debootstrap.log" 2>&1 || die "debootstrap ($SM_CT_DIR/debootstrap.log)"
  fi
  tar -C "$root" -c . | podman import -q - localhost/debian:bookworm-slim >/dev/null \
    || die "podman import"
  podman tag localhost/debian:bookworm-slim docker.io/library/debian:bookworm-slim
  podman tag localhost/debian:bookworm-slim docker.io/library/debian:bookworm
}

build_one() { # tag dockerfile
  local tag=$1 file=$2 log=$SM_CT_DIR/build-${1//[^a-z0-9]/_}.log
  if [ "$SM_ENGINE" = podman ]; then
    podman build --pull=never --isolation=chroot --layers -f "$file" -t "$tag" . \
      >"$log" 2>&1 || { tail -20 "$log"; die "build $tag ($log)"; }
  else
    docker build -f "$file" -t "$tag" . >"$log" 2>&1 \
      || { tail -20 "$log"; die "build $tag ($log)"; }
  fi
}

build_images() {
  base_image
  if [ "$SM_LOCAL_IMAGES" = auto ]; then
    if ct pull -q "${SM_REDIS_IMAGE:-redis:7}" >/dev/null 2>&1 \
       && ct pull -q "${SM_NGINX_IMAGE:-nginx:stable}" >/dev/null 2>&1; then
      SM_LOCAL_IMAGES=0
    else
      SM_LOCAL_IMAGES=1
    fi
  fi
  if [ "$SM_LOCAL_IMAGES" = 1 ]; then
    say "redis and nginx: built from Debian packages (no registry)"
    build_one localhost/sm-redis:bookworm docker/local/redis.Dockerfile
    build_one localhost/sm-nginx:bookworm docker/local/nginx.Dockerfile
    export SM_REDIS_IMAGE=localhost/sm-redis:bookworm
    export SM_NGINX_IMAGE=localhost/sm-nginx:bookworm
  fi
  local t0=$SECONDS
  build_one localhost/stationmaster:latest docker/Dockerfile
  ct tag localhost/stationmaster:latest stationmaster:latest 2>/dev/null || true
  export SM_IMAGE=localhost/stationmaster SM_TAG=latest
  say "images built (stationmaster: $((SECONDS - t0)) s)"
}

# Remove everything of the project: containers, networks and, with -v, the
# volumes.
stack_down() {
  dc down --remove-orphans "$@" >"$SM_CT_DIR/down.log" 2>&1 || true
  if [ "$SM_ENGINE" = podman ]; then
    local left
    left=$(podman ps -aq --filter "label=com.docker.compose.project=$SM_COMPOSE_PROJECT")
    [ -n "$left" ] && podman rm -f $left >/dev/null 2>&1
    for n in $(podman network ls -q --filter "label=com.docker.compose.project=$SM_COMPOSE_PROJECT" 2>/dev/null); do
      podman network rm -f "$n" >/dev/null 2>&1
    done
    if [ "${1:-}" = -v ]; then
      for v in $(podman volume ls -q --filter "label=com.docker.compose.project=$SM_COMPOSE_PROJECT" 2>/dev/null); do
        podman volume rm -f "$v" >/dev/null 2>&1
      done
    fi
  fi
  return 0
}

# base URL through nginx's published port
SM_BASE=http://127.0.0.1:$SM_HTTP_PORT

wait_ready() { # seconds → 0 once /readyz answers 200 through nginx
  local limit=${1:-120} t0=$SECONDS
  while [ $((SECONDS - t0)) -lt "$limit" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$SM_BASE/readyz")" = 200 ] && return 0
    sleep 0.5
  done
  return 1
}

# One HTTP call through the edge: api METHOD PATH [TOKEN] [BODY] [extra curl
# args...]; sets HTTP_STATUS and HTTP_BODY.
api() {
  local method=$1 path=$2 token=${3:-} body=${4:-}
  shift 4 2>/dev/null || shift $#
  local args=(-s -m 10 -X "$method" -o "$SM_CT_DIR/body" -w '%{http_code}'
              -H 'Content-Type: application/json')
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-d "$body")
  HTTP_STATUS=$(curl "${args[@]}" "$@" "$SM_BASE$path")
  HTTP_BODY=$(cat "$SM_CT_DIR/body" 2>/dev/null)
}

expect() { # status what
  [ "$HTTP_STATUS" = "$1" ] || die "$2: expected $1, got $HTTP_STATUS: ${HTTP_BODY:0:400}"
  say "ok  $2 ($HTTP_STATUS)"
}

# CURVE keys for the bus (docs/deploy.md, "CURVE on the bus"), made by the
# image's stationmaster-keys into $SM_CURVE_DIR (kept between runs; the
# secret files belong to the image's user 10001, mode 0600).
compose_keys() {
  export SM_CURVE_DIR=${SM_CURVE_DIR:-$SM_CT_DIR/curve}
  mkdir -p "$SM_CURVE_DIR"
  ct run --rm --user 0 --network none -v "$SM_CURVE_DIR:/keys" \
    localhost/stationmaster:latest stationmaster-keys --owner 10001:10001 /keys \
    >"$SM_CT_DIR/keys.log" 2>&1 || { cat "$SM_CT_DIR/keys.log"; die "stationmaster-keys"; }
  say "CURVE keys in $SM_CURVE_DIR: $(wc -l <"$SM_CT_DIR/keys.log") programs"
}

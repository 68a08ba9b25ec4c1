#!/bin/bash
# sm-healthcheck — container healthchecks for the Stationmaster image.
# Uses only bash, coreutils and /proc (no curl in the slim image).
#
#   sm-healthcheck tcp PORT         a TCP connection to 127.0.0.1:PORT is
#                                   accepted: the process has its socket bound
#                                   and the kernel accepts on it (broker, hub).
#   sm-healthcheck http PORT PATH   GET http://127.0.0.1:PORT/PATH answers with
#                                   status 200 (gateway /healthz).
#   sm-healthcheck peer PORT        this container holds at least one
#                                   ESTABLISHED TCP connection to a remote port
#                                   PORT: a domain service is connected to the
#                                   broker. It does not prove the worker sent
#                                   READY; gateway /readyz checks that.
#
# Exit 0 healthy, 1 unhealthy (what Docker expects). Each check gives up
# after 2 s (inside compose's 3 s healthcheck timeout), so a hung peer
# cannot stall the healthcheck.
set -u

usage() {
    echo "usage: sm-healthcheck tcp PORT | http PORT PATH | peer PORT" >&2
    exit 1
}

valid_port() {
    case ${1:-} in
        '' | *[!0-9]*) return 1 ;;
    esac
    [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

mode=${1:-}
port=${2:-}
valid_port "$port" || usage

case $mode in
    tcp)
        timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" \
            2>/dev/null || { echo "nothing accepts on :$port"; exit 1; }
        echo "ok: :$port accepts connections"
        ;;
    http)
        path=${3:-/healthz}
        status=$(timeout 2 bash -c '
            exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
            printf "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" "$2" >&3
            IFS= read -r line <&3 || exit 1
            printf "%s" "${line%$'"'"'\r'"'"'}"
        ' _ "$port" "$path" 2>/dev/null) || { echo "no answer from :$port$path"; exit 1; }
        case $status in
            "HTTP/1."?" 200"*) echo "ok: $status" ;;
            *) echo "unhealthy: :$port$path answered '$status'"; exit 1 ;;
        esac
        ;;
    peer)
        # /proc/net/tcp{,6}: column 3 is rem_address "HEXIP:HEXPORT",
        # column 4 the state; 01 is ESTABLISHED.
        hex=$(printf '%04X' "$port")
        tables=()
        for t in /proc/net/tcp /proc/net/tcp6; do
            [ -r "$t" ] && tables+=("$t")
        done
        if [ ${#tables[@]} -gt 0 ] && awk -v p=":$hex" 'FNR > 1 && $4 == "01" && substr($3, length($3) - 4) == p { found = 1 }
                               END { exit !found }' "${tables[@]}"; then
            echo "ok: connected to remote port $port"
        else
            echo "no established connection to remote port $port"
            exit 1
        fi
        ;;
    *)
        usage
        ;;
esac

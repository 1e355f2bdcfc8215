#!/bin/bash
# Devices that connect and then all leave at once (a mast goes down, a load generator exits): the
# server CPU it costs, from bench_server's utime+stime.
#
#   bench/dropstorm.sh [BUILD_DIR] [--clients 19000] [--server "ARGS"]
#
# Starts bench_server, connects N clients with loadgen --mode connect (which then exits, closing
# them all), waits until the server's CPU time stops moving and prints it: the cost of N
# connections opened and dropped together. BUILD_DIR (default build-loadgen) holds bench/bench_server
# and bench/loadgen. N is bounded by the descriptor limit of one process (ulimit -Hn).
set -euo pipefail
build=build-loadgen
clients=19000
server_args=
while [[ $# -gt 0 ]]; do
    case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --server) server_args="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) build="$1"; shift ;;
    esac
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d /tmp/peek-dropstorm.XXXXXX)
port=$((18000 + RANDOM % 1000))
# shellcheck disable=SC2086 # the arguments are split on purpose
"$build/bench/bench_server" --logic-port $((port + 11)) --field-port "$port" $server_args >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready field' "$out/server.log" && break; sleep 0.1; done
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$server_pid/stat"; }
before=$(cpu)
"$build/bench/loadgen" --url "ws://127.0.0.1:$port" --clients "$clients" --mode connect --server-pid "$server_pid" >"$out/loadgen.log" 2>&1
previous=-1
now=$(cpu)
while [[ "$now" != "$previous" ]]; do # settled: the drops are handled
    sleep 1
    previous=$now
    now=$(cpu)
done
kill -0 "$server_pid" 2>/dev/null || { echo "dropstorm.sh: bench_server died (see $out/server.log)" >&2; exit 1; }
echo "$clients clients connected and dropped at once: server CPU $(awk -v a="$now" -v b="$before" 'BEGIN { printf "%.2f", a - b }') s; outputs in $out"

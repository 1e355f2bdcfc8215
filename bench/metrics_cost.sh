#!/bin/bash
# The server's CPU per GET /metrics with 1,000 clients connected and subscribed (issue 17,
# "Measure"; bench/README.md "metrics cost"): bench_server on loopback, loadgen holding the
# clients, the server threads' CPU (/proc/PID/task/*/schedstat) over 10 idle seconds and over
# 300 sequential scrapes.
#
#   bench/metrics_cost.sh [BUILD_DIR] [CLIENTS]
set -euo pipefail
build="${1:-build-ci}"
clients="${2:-1000}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=$(mktemp -d)
QT_NO_GLIB=1 "$build/bench/bench_server" --logic-port 18011 --field-port 18000 >"$log/server.log" 2>&1 &
server=$!
trap 'kill $server ${gen:-} 2>/dev/null || true; rm -rf "$log"' EXIT
for _ in $(seq 50); do grep -q "ready field" "$log/server.log" && break; sleep 0.2; done
QT_NO_GLIB=1 "$build/bench/loadgen" --url ws://127.0.0.1:18000 --clients "$clients" --mode connect \
    --idle-seconds 60 >"$log/loadgen.log" 2>&1 &
gen=$!
for _ in $(seq 150); do grep -q "connect:" "$log/loadgen.log" && break; sleep 0.2; done
sleep 2
cpu() { cat /proc/$server/task/*/schedstat | awk '{s += $1} END {print s}'; }
a=$(cpu); sleep 10; b=$(cpu)
idle_us_per_s=$(((b - a) / 10000))
bytes=$(curl -s http://127.0.0.1:18000/metrics | wc -c)
a=$(cpu); t0=$(date +%s%N)
for _ in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:18000/metrics; done
b=$(cpu); t1=$(date +%s%N)
elapsed_us=$(((t1 - t0) / 1000))
scrape_us=$(((b - a) / 1000 - idle_us_per_s * elapsed_us / 1000000))
echo "$clients clients: server CPU idle $idle_us_per_s us/s; 300 scrapes of $bytes bytes: $((scrape_us / 300)) us of server CPU each"

#!/bin/bash
# The scale comparison of issue 19 in one command: our server (bench_server, all roles in one
# process) at 1,000 and 10,000 clients driven by loadgen, and rawfloor beside it at the same sizes
# and message size; prints the table with the 10k/1k ratios and ours against the floor.
#
#   bench/scale.sh [BUILD_DIR] [--clients 1000,10000] [--dispatcher epoll|qt] [--server "ARGS"]
#
# BUILD_DIR (default build-loadgen) holds bench/bench_server, bench/loadgen and bench/rawfloor
# (cmake --build BUILD_DIR --target bench_server loadgen rawfloor; Release or RelWithDebInfo).
# --dispatcher qt runs all three on Qt's UNIX event dispatcher (PEEK_EVENT_DISPATCHER=qt), for the
# before/after comparison. Loopback only; each size gets a fresh bench_server; the raw outputs stay
# in a temporary folder whose path is printed. --server passes arguments to bench_server; the
# default, "--link local --logic-thread", runs logic and field as peek-server does (each on a thread
# of its own, linked in process: network.serviceThreads; I/O threads one per core). "" gives
# bench_server's own defaults (one thread, a loopback WebSocket between logic and field); add
# "--io-threads 0" for no I/O threads.
set -euo pipefail
build=build-loadgen
sizes=1000,10000
dispatcher=epoll
server_args="--link local --logic-thread"
while [[ $# -gt 0 ]]; do
    case "$1" in
    --clients) sizes="$2"; shift 2 ;;
    --dispatcher) dispatcher="$2"; shift 2 ;;
    --server) server_args="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) build="$1"; shift ;;
    esac
done
for tool in bench_server loadgen rawfloor; do
    [[ -x "$build/bench/$tool" ]] || { echo "scale.sh: $build/bench/$tool is missing (cmake --build $build --target bench_server loadgen rawfloor)" >&2; exit 1; }
done
case "$dispatcher" in
epoll) unset PEEK_EVENT_DISPATCHER ;;
qt) export PEEK_EVENT_DISPATCHER=qt ;;
*) echo "scale.sh: --dispatcher epoll or qt, not $dispatcher" >&2; exit 1 ;;
esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d /tmp/peek-scale.XXXXXX)
port=$((18000 + RANDOM % 1000))
IFS=, read -r -a counts <<<"$sizes"

server_pid=
stop_server() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=; }
trap stop_server EXIT

for n in "${counts[@]}"; do
    # shellcheck disable=SC2086 # the arguments are split on purpose
    "$build/bench/bench_server" --logic-port $((port + 11)) --field-port "$port" $server_args >"$out/server-$n.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do grep -q '^ready field' "$out/server-$n.log" && break; sleep 0.1; done
    grep -q '^ready field' "$out/server-$n.log" || { echo "scale.sh: bench_server did not start: $(tail -5 "$out/server-$n.log")" >&2; exit 1; }
    echo "scale.sh: $n clients against our server ($dispatcher) ..." >&2
    "$build/bench/loadgen" --url "ws://127.0.0.1:$port" --clients "$n" --mode all --server-pid "$server_pid" >"$out/loadgen-$n.log" 2>&1 \
        || { echo "scale.sh: loadgen failed at $n clients: $(tail -5 "$out/loadgen-$n.log")" >&2; exit 1; }
    stop_server
done
bytes=$(sed -n 's/^first data: message \([0-9]*\) bytes.*/\1/p' "$out/loadgen-${counts[0]}.log")
echo "scale.sh: rawfloor at $sizes clients, $bytes-byte messages ..." >&2
"$build/bench/rawfloor" --clients "$sizes" --bytes "${bytes:-1500}" >"$out/rawfloor.log" 2>&1 \
    || { echo "scale.sh: rawfloor failed: $(tail -5 "$out/rawfloor.log")" >&2; exit 1; }

# One figure of a loadgen log (sed expression printing it).
fig() { sed -n "$2" "$out/loadgen-$1.log" | head -1; }
floor() { sed -n "s/^N=$1: .*$2.*/\\1/p" "$out/rawfloor.log" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f×", a / b }'; }

declare -A actions p50 p99 last cpu mem idle floorcpu floorlast
for n in "${counts[@]}"; do
    actions[$n]=$(fig "$n" 's/^actions: [0-9]* noop actions answered .* = \([0-9]*\) actions\/s.*/\1/p')
    p50[$n]=$(fig "$n" 's/^actions at a fixed rate.*p50 \([0-9.]*\) .*/\1/p')
    p99[$n]=$(fig "$n" 's/^actions at a fixed rate.*p99 \([0-9.]*\) .*/\1/p')
    last[$n]=$(fig "$n" 's/^fan-out: time to the LAST client, ms: from the update.s envelope date: median \([0-9.]*\) .*/\1/p')
    cpu[$n]=$(fig "$n" 's/^fan-out: server CPU .* = \([0-9.]*\) us per delivered message.*/\1/p')
    mem[$n]=$(fig "$n" 's/.* \([0-9.]*\) KiB per connected+subscribed client.*/\1/p')
    idle[$n]=$(fig "$n" 's/^server CPU while idle .*: \([0-9.]*\)% of a core.*/\1/p')
    floorcpu[$n]=$(floor "$n" 'server CPU \([0-9.]*\) us per delivered message')
    floorlast[$n]=$(floor "$n" 'last client median \([0-9.]*\) ms')
done

first=${counts[0]}
lastn=${counts[-1]}
echo
echo "Scale: $(nproc) cores, $dispatcher event dispatcher, bench_server ${server_args:-(defaults)}, $bytes-byte update; raw outputs in $out"
echo
printf '| figure |'; for n in "${counts[@]}"; do printf ' %s clients |' "$n"; done; printf ' %s/%s |\n' "$lastn" "$first"
printf '|---|'; for _ in "${counts[@]}"; do printf '%s' '---|'; done; printf '%s\n' '---|'
row() { # label, array name, unit
    local -n values="$2"
    printf '| %s |' "$1"; for n in "${counts[@]}"; do printf ' %s%s |' "${values[$n]:--}" "$3"; done
    printf ' %s |\n' "$(ratio "${values[$lastn]}" "${values[$first]}")"
}
row "actions/s end to end, 100 in flight" actions ""
row "latency at a fixed 1,000 actions/s, p50" p50 " ms"
row "latency at a fixed 1,000 actions/s, p99" p99 " ms"
row "update to the last client (envelope date), median" last " ms"
row "rawfloor: update to the last client, median" floorlast " ms"
row "server CPU per delivered update" cpu " µs"
row "rawfloor: server CPU per delivered message" floorcpu " µs"
printf '| ours / rawfloor, CPU per message |'; for n in "${counts[@]}"; do printf ' %s |' "$(ratio "${cpu[$n]}" "${floorcpu[$n]}")"; done; printf ' |\n'
row "memory per connected + subscribed client" mem " KiB"
row "server CPU while idle, connected and subscribed" idle " % of a core"

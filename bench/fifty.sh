#!/bin/bash
# Many devices on one machine, more than one process may hold: logic (bench_server --role logic)
# and K field services (bench_server --role field, each linked to logic over loopback, as field
# services on other machines would be), one load generator per field service, each holding its
# share of the N clients connected and subscribed. Prints the field services' memory per client
# and the CPU all the servers use while the clients are idle (their heartbeats only).
#
#   bench/fifty.sh [BUILD_DIR] [--clients 50000] [--per-process 17000] [--idle-seconds 10]
#
# BUILD_DIR (default build-loadgen) holds bench/bench_server and bench/loadgen. K is N divided by
# --per-process, rounded up (a process may open ulimit -Hn descriptors: 20,000 in this container).
# Each field service gets its own port, so the loopback's ephemeral ports (28,000) suffice.
set -euo pipefail
build=build-loadgen
clients=50000
per=17000
idle=10
while [[ $# -gt 0 ]]; do
    case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --per-process) per="$2"; shift 2 ;;
    --idle-seconds) idle="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) build="$1"; shift ;;
    esac
done
for tool in bench_server loadgen; do
    [[ -x "$build/bench/$tool" ]] || { echo "fifty.sh: $build/bench/$tool is missing" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d /tmp/peek-fifty.XXXXXX)
base=$((18000 + RANDOM % 1000))
logic_port=$((base + 50))
k=$(((clients + per - 1) / per))
pids=()
loadgens=()
cleanup() {
    for p in "${loadgens[@]}" "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
ready() { # LOG PATTERN
    for _ in $(seq 300); do grep -q "$2" "$1" && return 0; sleep 0.1; done
    echo "fifty.sh: not ready: $1: $(tail -3 "$1")" >&2
    exit 1
}

"$build/bench/bench_server" --role logic --logic-port "$logic_port" >"$out/logic.log" 2>&1 &
pids+=($!)
ready "$out/logic.log" '^ready logic'
field_pids=()
for i in $(seq "$k"); do
    "$build/bench/bench_server" --role field --field-port $((base + i)) --logic-url "ws://127.0.0.1:$logic_port" \
        >"$out/field-$i.log" 2>&1 &
    pids+=($!)
    field_pids+=($!)
    ready "$out/field-$i.log" '^ready field'
done
rss() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"))); done; echo "$sum"; }
cpu_ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$sum"; }
before=$(rss "${field_pids[@]}")

left=$clients
for i in $(seq "$k"); do
    n=$((left < per ? left : per))
    left=$((left - n))
    echo "fifty.sh: $n clients on field service $i ..." >&2
    # They stay connected and subscribed through a long idle phase, while the next ones come.
    "$build/bench/loadgen" --url "ws://127.0.0.1:$((base + i))" --clients "$n" --mode fanout --updates 1 --warmup 0 \
        --idle-seconds 3600 --server-pid "${field_pids[$((i - 1))]}" --timeout 300 >"$out/loadgen-$i.log" 2>&1 &
    loadgens+=($!)
    for _ in $(seq 3000); do grep -q 'subscribed ->' "$out/loadgen-$i.log" && break; sleep 0.1; done
    grep -q 'subscribed ->' "$out/loadgen-$i.log" || { echo "fifty.sh: loadgen $i: $(tail -3 "$out/loadgen-$i.log")" >&2; exit 1; }
done
after=$(rss "${field_pids[@]}")
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks "${pids[@]}")
sleep "$idle"
c1=$(cpu_ticks "${pids[@]}")
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "fifty.sh: a server died (see $out)" >&2; exit 1; }; done
echo
echo "Fifty: $(nproc) cores, $clients clients connected and subscribed, $k field services of up to $per and one logic; outputs in $out"
echo
echo "| figure | value |"
echo "|---|---|"
echo "| field services' memory per connected + subscribed client | $(awk -v a="$after" -v b="$before" -v n="$clients" 'BEGIN { printf "%.1f KiB", (a - b) / n }') |"
echo "| all servers' CPU while the clients idle (heartbeats), over ${idle} s | $(awk -v t=$((c1 - c0)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.1f %% of a core", 100 * t / hz / s }') |"

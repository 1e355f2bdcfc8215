#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang-14 in build-fuzz/ and runs each one for
# the given number of seconds (default 60), one after the other. Each target's corpus grows in
# build-fuzz/corpus/<target> (seeded from tests/fuzz/corpus/<target> and the seeds the build
# makes from the golden vectors and the repository); a crashing input lands in
# build-fuzz/artifacts/<target>/. Prints per target the executions and the time; exits non-zero
# when a target crashed (or failed to run).
#
#   tests/fuzz/run-fuzzers.sh [seconds-per-target]
#
# PEEK_FUZZ_TARGETS    the targets to run, space-separated (default: all)
# PEEK_FUZZ_KEEP_GOING after a crash, start the target again (for the rest of its time) up to
#                      this many times, to look for further findings (default 0)
# PEEK_FUZZ_JOBS       build jobs (default: ninja's)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-60}"
build=build-fuzz
keep_going="${PEEK_FUZZ_KEEP_GOING:-0}"

if [[ ! -f "$build/CMakeCache.txt" || ! -f "$build/build.ninja" ]]; then
    cmake -S . -B "$build" -G Ninja -DPEEK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++-14 || exit 1
fi
cmake --build "$build" ${PEEK_FUZZ_JOBS:+-j "$PEEK_FUZZ_JOBS"} || exit 1

# A finding stops the target with a report (the stack) in its log.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan-suppressions.txt}"
export QT_NO_GLIB=1

dictionary_of() {
    case "$1" in
    http_head) echo tests/fuzz/http.dict ;;
    sql_script) echo tests/fuzz/sql.dict ;;
    ui_bundle) echo "" ;;
    *) echo tests/fuzz/json.dict ;;
    esac
}

mkdir -p "$build/logs"
failed=0
summary=()
while read -r target max_len seed_dirs; do
    [[ -z "$target" || "$target" == \#* ]] && continue
    if [[ -n "${PEEK_FUZZ_TARGETS:-}" && " $PEEK_FUZZ_TARGETS " != *" $target "* ]]; then
        continue
    fi
    corpus="$build/corpus/$target"
    artifacts="$build/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    dict="$(dictionary_of "$target")"
    log="$build/logs/$target.log"
    : >"$log"
    executions=0 runs=0 crashed=0
    started=$(date +%s)
    remaining="$seconds"
    while ((remaining > 0)); do
        runs=$((runs + 1))
        echo "== run $runs: $remaining s" >>"$log"
        # shellcheck disable=SC2086 # seed_dirs is a list of folders
        "$build/tests/fuzz/fuzz_$target" -max_total_time="$remaining" -max_len="$max_len" \
            -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 ${dict:+-dict="$dict"} \
            -artifact_prefix="$artifacts/" "$corpus" $seed_dirs >>"$log" 2>&1
        status=$?
        run_executions=$(grep -a 'stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
        if [[ -z "$run_executions" ]]; then # a crash prints no final stats: the last status line
            run_executions=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        fi
        executions=$((executions + ${run_executions:-0}))
        # The stats line of this run is counted: keep it from being counted again.
        sed -i 's/stat::number_of_executed_units/stat::counted_executed_units/' "$log"
        if ((status == 0)); then
            break
        fi
        crashed=$((crashed + 1))
        remaining=$((seconds - ($(date +%s) - started)))
        if ((crashed > keep_going)); then
            break
        fi
    done
    elapsed=$(($(date +%s) - started))
    result=ok
    if ((crashed > 0)); then
        result="CRASHED ($crashed; inputs in $artifacts/, log $log)"
        failed=1
    fi
    line=$(printf '%-12s %12s executions %6s s  %s' "$target" "$executions" "$elapsed" "$result")
    echo "$line"
    summary+=("$line")
done <"$build/tests/fuzz/targets.txt"

echo
echo "Fuzzing summary ($seconds s per target):"
printf '%s\n' "${summary[@]}"
exit "$failed"

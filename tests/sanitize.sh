#!/usr/bin/env bash
# Builds Peek with AddressSanitizer and UndefinedBehaviorSanitizer (GCC, -DPEEK_SANITIZE=ON,
# RelWithDebInfo) in build-asan/ and runs the whole test suite under them the way ./test.sh does
# (its throw-away PostgreSQL included), with a longer timeout per test. A memory error or
# undefined behaviour stops the process with a report on stderr, so the test fails and ctest
# shows the report. Extra arguments go to ctest (tests/sanitize.sh -R codec).
#
# Leak detection is off: Qt keeps many one-time allocations for the life of the process
# (plugin loaders, QML type registrations, fontconfig, the threads of the global pool) and
# LeakSanitizer reports them at exit, from frames in Qt rather than in Peek, so every GUI and
# QML test would fail on them. ASAN_OPTIONS=detect_leaks=1 tests/sanitize.sh -R <test> turns it
# on for one test.
#
# PEEK_BUILD_DIR (default build-asan), PEEK_TEST_JOBS and PEEK_TEST_TIMEOUT (default 900 s) as
# for ./test.sh; ASAN_OPTIONS and UBSAN_OPTIONS, when set, replace the defaults below.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PEEK_BUILD_DIR="${PEEK_BUILD_DIR:-build-asan}"
export PEEK_CMAKE_OPTIONS="-DPEEK_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPEEK_BUILD_BENCH=OFF"
export PEEK_TEST_TIMEOUT="${PEEK_TEST_TIMEOUT:-900}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:print_stacktrace=1:check_initialization_order=1:detect_stack_use_after_return=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan-suppressions.txt}"
exec ./test.sh "$@"

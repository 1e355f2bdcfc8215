#!/usr/bin/env bash
# Builds Peek with AddressSanitizer and UndefinedBehaviorSanitizer (GCC, -DPEEK_SANITIZE=ON,
# RelWithDebInfo) in build-asan/ and runs the whole test suite under them the way ./test.sh does
# (its throw-away PostgreSQL included), with a longer timeout per test. A memory error or
# undefined behaviour stops the process with a report on stderr, so the test fails and ctest
# shows the report. Extra arguments go to ctest (tests/sanitize.sh -R codec).
#
# Leak detection is on. Qt's own allocations that live until exit do not make it unusable: the
# non-GUI tests report none, and what Qt Gui and Qt Quick keep (QQuickPixmap's image cache) is
# left out by tests/lsan-suppressions.txt. ASAN_OPTIONS=detect_leaks=0 turns it off.
#
# PEEK_BUILD_DIR (default build-asan), PEEK_TEST_JOBS and PEEK_TEST_TIMEOUT (default 900 s) as
# for ./test.sh; ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS, when set, replace the defaults
# below.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PEEK_BUILD_DIR="${PEEK_BUILD_DIR:-build-asan}"
export PEEK_CMAKE_OPTIONS="-DPEEK_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPEEK_BUILD_BENCH=OFF"
export PEEK_TEST_TIMEOUT="${PEEK_TEST_TIMEOUT:-900}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:print_stacktrace=1:check_initialization_order=1:detect_stack_use_after_return=1:strict_init_order=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan-suppressions.txt:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan-suppressions.txt}"
exec ./test.sh "$@"

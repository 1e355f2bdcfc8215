#!/usr/bin/env bash
# Installs missing build dependencies (apt), builds Peek, and runs every test with ctest.
# Extra arguments go to ctest, e.g. ./test.sh -R codec
#
# PEEK_BUILD_DIR      build directory, relative to the repository root (default: build)
# PEEK_TEST_JOBS      tests run in parallel (default: 2)
# PEEK_CMAKE_OPTIONS  extra CMake options, applied to the build directory on every run
#                     (e.g. "-DPEEK_SANITIZE=ON": tests/sanitize.sh)
# PEEK_TEST_TIMEOUT   ctest's timeout per test in seconds (default: 300)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
build_dir="${PEEK_BUILD_DIR:-build}"

export QT_NO_GLIB=1
export QTEST_DISABLE_STACK_DUMP=1

# ---------------------------------------------------------------------------------------------
# PostgreSQL for the storage tests: a throw-away PostgreSQL 15 cluster in a temporary directory,
# listening on 127.0.0.1 only (trust authentication, unix socket in that directory), run as the
# postgres user when we are root (initdb refuses root). Its URL reaches the tests as
# PEEK_TEST_PG_URL; an EXIT trap stops it and removes the directory. Clusters left behind by a
# killed run are stopped the next time.
#   PEEK_TEST_PG_URL=...     use that server instead; start nothing
#   PEEK_TEST_POSTGRES=0     start nothing (the PostgreSQL test cases skip, saying so)
#   PEEK_TEST_PG_PORT        first port to try (default 55432; the next ones when busy)
pg_bin="${PEEK_PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_dir=""
pg_as=()
if ((EUID == 0)); then
    pg_as=(runuser -u postgres --)
fi

run_pg_ctl() {
    # From a directory the postgres user may enter (it cannot always read ours).
    (cd / && "${pg_as[@]}" "$pg_bin/pg_ctl" "$@")
}

stop_postgres() {
    [[ -n "$pg_dir" ]] || return 0
    run_pg_ctl -D "$pg_dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || run_pg_ctl -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=""
}

# Stops and removes the clusters of earlier runs whose test.sh is gone.
reap_stale_postgres() {
    local dir owner
    for dir in /tmp/peek-test-pg.*; do
        [[ -f "$dir/owner" ]] || continue
        owner="$(cat "$dir/owner" 2>/dev/null || true)"
        # Alive: signalable and not a zombie waiting for its parent.
        if [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null \
            && [[ "$(ps -o stat= -p "$owner" 2>/dev/null)" != Z* ]]; then
            continue
        fi
        echo "test.sh: removing the PostgreSQL test cluster $dir left by an earlier run" >&2
        run_pg_ctl -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$dir"
    done
}

port_busy() {
    (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# In CI the PostgreSQL tests must run: failing to start the server fails the run. Elsewhere the
# PostgreSQL test cases skip, saying why.
postgres_unavailable() {
    if [[ "${CI:-}" == true ]]; then
        echo "test.sh: error: $*" >&2
        exit 1
    fi
    echo "test.sh: warning: $*; the PostgreSQL test cases will skip" >&2
}

start_postgres() {
    if [[ -n "${PEEK_TEST_PG_URL:-}" ]]; then
        echo "test.sh: the PostgreSQL tests use the server of PEEK_TEST_PG_URL" >&2
        return 0
    fi
    if [[ "${PEEK_TEST_POSTGRES:-1}" == 0 ]]; then
        echo "test.sh: PEEK_TEST_POSTGRES=0: no PostgreSQL; its test cases will skip" >&2
        return 0
    fi
    if [[ ! -x "$pg_bin/initdb" ]]; then
        postgres_unavailable "no PostgreSQL in $pg_bin (Debian package postgresql)"
        return 0
    fi
    reap_stale_postgres

    pg_dir="$(mktemp -d /tmp/peek-test-pg.XXXXXX)"
    trap stop_postgres EXIT
    trap 'exit 130' INT TERM
    echo "$$" >"$pg_dir/owner"
    chmod 755 "$pg_dir"
    if ((EUID == 0)); then
        chown postgres: "$pg_dir"
    fi
    if ! (cd / && "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 \
        --locale=C --no-sync >"$pg_dir/initdb.log" 2>&1); then
        cat "$pg_dir/initdb.log" >&2
        postgres_unavailable "initdb failed (log above)"
        stop_postgres
        return 0
    fi

    local port="${PEEK_TEST_PG_PORT:-55432}"
    local last=$((port + 20)) started=0
    for (( ; port < last; port++)); do
        port_busy "$port" && continue
        # A throw-away cluster: durability off for speed.
        if run_pg_ctl -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    if ((!started)); then
        cat "$pg_dir/server.log" >&2 2>/dev/null || true
        postgres_unavailable "PostgreSQL did not start on any port from ${PEEK_TEST_PG_PORT:-55432} (log above)"
        stop_postgres
        return 0
    fi
    if ! (cd / && "${pg_as[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres peek_test); then
        postgres_unavailable "could not create the database peek_test"
        stop_postgres
        return 0
    fi
    export PEEK_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/peek_test"
    echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') for the tests at $PEEK_TEST_PG_URL" >&2
}
# ---------------------------------------------------------------------------------------------

bash packaging/install-deps.sh

read -r -a cmake_options <<<"${PEEK_CMAKE_OPTIONS:-}"
if [[ ! -f "$build_dir/CMakeCache.txt" || ! -f "$build_dir/build.ninja" || ${#cmake_options[@]} -gt 0 ]]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_options[@]}"
fi
cmake --build "$build_dir"

start_postgres

status=0
ctest --test-dir "$build_dir" --output-on-failure --timeout "${PEEK_TEST_TIMEOUT:-300}" \
    -j "${PEEK_TEST_JOBS:-2}" "$@" \
    || status=$?
# A failing test's output can be long and the end of a CI log is what gets read: repeat each
# failure's own lines (Qt Test's FAIL!/Loc:, crashes, sanitizer reports) last.
if ((status != 0)) && [[ -f "$build_dir/Testing/Temporary/LastTest.log" ]]; then
    echo "test.sh: what failed (from $build_dir/Testing/Temporary/LastTest.log):" >&2
    grep -nE -A2 'FAIL!|QFATAL|Received signal|ERROR: (Address|Leak)Sanitizer|runtime error:|Timeout|Test Failed' \
        "$build_dir/Testing/Temporary/LastTest.log" | cut -c1-400 | tail -n 80 >&2 || true
fi
exit "$status"

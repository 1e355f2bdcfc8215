#!/bin/bash
# Backup and restore time for a database of N tuples (issue 17, "Measure"; bench/README.md
# "backup_bench"): a home with the tutorial whose StringInt table holds N rows, a running
# peek-server (logic), `peek-server backup` timed beside it, then `peek-server restore` into a
# fresh home (and, for PostgreSQL, a fresh database) timed with the server stopped.
#
#   bench/backup_bench.sh [BUILD_DIR] [ROWS]                       SQLite (the embedded default)
#   PEEK_BENCH_PG_URL=postgresql://postgres@127.0.0.1:55432/postgres bench/backup_bench.sh build-ci 1000000
#                                                                  PostgreSQL: databases made and dropped on that server
set -euo pipefail
build="${1:-build-ci}"
rows="${2:-1000000}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
server="$build/server/peek-server"
work=$(mktemp -d)
pid=
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    if [[ -n "${PEEK_BENCH_PG_URL:-}" ]]; then
        psql "$PEEK_BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS peek_bench_src WITH (FORCE)" >/dev/null 2>&1 || true
        psql "$PEEK_BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS peek_bench_dst WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

storage=""
pg_src=""
pg_dst=""
if [[ -n "${PEEK_BENCH_PG_URL:-}" ]]; then
    base="${PEEK_BENCH_PG_URL%/*}"
    psql "$PEEK_BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS peek_bench_src WITH (FORCE)" -c "CREATE DATABASE peek_bench_src" \
        -c "DROP DATABASE IF EXISTS peek_bench_dst WITH (FORCE)" -c "CREATE DATABASE peek_bench_dst" >/dev/null
    pg_src="$base/peek_bench_src"
    pg_dst="$base/peek_bench_dst"
    storage=", \"storage\": {\"url\": \"$pg_src\"}"
fi
home="$work/home"
mkdir -p "$home"
cat >"$home/config.json" <<EOF
{"roles": ["logic"], "plugin": {"enabled": ["peek_plugin_tutorial"]},
 "ports": {"logicAdmin": 18110, "logicDataExchange": 18111, "field": 18100, "office": 18102}$storage}
EOF

start_server() {
    "$server" --home "$1" --listen 127.0.0.1 >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q "peek-server: ready" "$work/server.log" && return; sleep 0.2; done
    echo "the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}
stop_server() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
}

start_server "$home" # creates the schemas
stop_server
echo "filling StringInt with $rows rows..."
if [[ -n "$pg_src" ]]; then
    psql "$pg_src" -qc "INSERT INTO pl_tutorial.\"StringInt\" (id, string1, int1)
        SELECT 100 + g, 'row ' || g, g FROM generate_series(1, $rows) AS g" >/dev/null
else
    python3 - "$home/pl_tutorial.sqlite" "$rows" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executemany('INSERT INTO "StringInt" (id, string1, int1) VALUES (?, ?, ?)',
               ((100 + i, 'row %d' % i, i) for i in range(1, int(sys.argv[2]) + 1)))
db.commit()
EOF
fi
start_server "$home"
t0=$(date +%s%N)
"$server" backup --to "$work/peek.backup" --home "$home" >"$work/backup.log"
t1=$(date +%s%N)
stop_server
size=$(stat -c %s "$work/peek.backup")
restore_args=(restore "$work/peek.backup" --home "$work/restored")
[[ -n "$pg_dst" ]] && restore_args+=(--storage-url "$pg_dst")
t2=$(date +%s%N)
"$server" "${restore_args[@]}" >"$work/restore.log"
t3=$(date +%s%N)
# The restored rows, counted (a restore that lost them would be fast for nothing).
if [[ -n "$pg_dst" ]]; then
    restored=$(psql "$pg_dst" -tAc 'SELECT COUNT(*) FROM pl_tutorial."StringInt"')
else
    restored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM \"StringInt\"").fetchone()[0])' \
        "$work/restored/pl_tutorial.sqlite")
fi
if ((restored < rows)); then
    echo "the restore holds $restored rows, not $rows or more" >&2
    exit 1
fi
what=$([[ -n "$pg_src" ]] && echo PostgreSQL || echo SQLite)
printf '%s, %s rows: backup %.1f s (server running), archive %.1f MB; restore %.1f s (%s rows restored)\n' "$what" "$rows" \
    "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$(echo "$size / 1048576" | bc -l)" "$(echo "($t3 - $t2) / 1000000000" | bc -l)" "$restored"

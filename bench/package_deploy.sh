#!/usr/bin/env bash
# How long a plugin package takes to run everywhere (issue 15, "Measure"): logic, field and office
# as three peek-server processes on this machine (SQLite), the tutorial upgraded from the build's
# 1.0.0 to a 1.1.0 package with one more migration, N times back and forth.
#
#   bench/package_deploy.sh [BUILD_DIR] [ROUNDS]      (default: build, 5)
#
# Prints, per round: the install command's time with --no-wait (upload, checks, logic's switch and
# migration; without it the command waits for every service, the second figure),
# the time until every service reports the new version (logic's services list), and until the
# field service's bundle index (what the field app reads, told at once) shows it.
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
rounds="${2:-5}"
server="$build/server/peek-server"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export QT_NO_GLIB=1
token=bench-join-token-0123456789
base=$((30000 + RANDOM % 5000))
config() { # home roles
    cat > "$1/config.json" <<JSON
{"roles": $2, "ports": {"field": $((base)), "office": $((base + 2)), "logicAdmin": $((base + 10)), "logicDataExchange": $((base + 11))},
 "logic": {"url": "ws://127.0.0.1:$((base + 11))", "joinToken": "$token"},
 "plugin": {"enabled": ["peek_plugin_tutorial"]}, "devices": {"requireEnrolment": false}}
JSON
}
for s in logic field office; do mkdir -p "$work/$s"; done
config "$work/logic" '["logic"]'; config "$work/field" '["field"]'; config "$work/office" '["office"]'
"$server" --home "$work/logic" --listen 127.0.0.1 > "$work/logic.out" 2>&1 &
until grep -q "peek-server: ready" "$work/logic.out"; do sleep 0.1; done
for s in field office; do
    "$server" --home "$work/$s" --listen 127.0.0.1 --logic-url "ws://127.0.0.1:$((base + 11))" > "$work/$s.out" 2>&1 &
done
until grep -q "peek-server: ready" "$work/field.out" && grep -q "peek-server: ready" "$work/office.out"; do sleep 0.1; done

# Two packages of the tutorial: 1.1.0 (one more migration) and 1.1.1 (the same, newer).
for v in 1.1.0 1.1.1; do
    dir="$work/pkg-$v/peek_plugin_tutorial"
    mkdir -p "$dir"
    cp -r "$build/plugins/peek_plugin_tutorial/." "$dir/"
    sed -i "s/\"version\": \"1.0.0\"/\"version\": \"$v\"/" "$dir/plugin.json"
    echo "CREATE TABLE pl_tutorial.upgrade_marker (id INTEGER PRIMARY KEY);" > "$dir/migrations/0003_upgrade_marker.sql"
    "$server" package "$dir" --out "$work" > /dev/null
done
now() { date +%s%N; }
everywhere() { # version
    "$server" admin --home "$work/logic" --json services | python3 -c "
import json, sys
services = json.load(sys.stdin)
versions = {p['version'] for s in services for p in s['plugins'] if p['name'] == 'peek_plugin_tutorial' and p['state'] == 'started'}
roles = {s['role'] for s in services}
sys.exit(0 if versions == {'$1'} and roles == {'logic', 'field', 'office'} else 1)"
}
printf "%-6s %-8s %12s %16s %16s\n" round version "install ms" "everywhere ms" "field index ms"
for ((r = 1; r <= rounds; ++r)); do
    for v in 1.1.0 1.1.1; do
        start=$(now)
        "$server" admin --home "$work/logic" plugins install --no-wait "$work/peek_plugin_tutorial-$v.peekplugin" > /dev/null
        installed=$(now)
        until curl -s "http://127.0.0.1:$base/peek/ui/field/index.json" | grep -Eq "\"version\": ?\"$v\""; do sleep 0.01; done
        index=$(now)
        until everywhere "$v"; do sleep 0.05; done
        all=$(now)
        printf "%-6s %-8s %12d %16d %16d\n" "$r" "$v" $(((installed - start) / 1000000)) $(((all - start) / 1000000)) $(((index - start) / 1000000))
    done
done
# The console's own answer: it returns when every service has reported the new version.
for v in 1.1.0 1.1.1; do
    start=$(now)
    "$server" admin --home "$work/logic" plugins install "$work/peek_plugin_tutorial-$v.peekplugin" > /dev/null
    printf "plugins install %s, waiting for the 3 services: %d ms\n" "$v" $((($(now) - start) / 1000000))
done

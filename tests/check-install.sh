#!/bin/bash
# The installed files work on their own (issue 17): `cmake --install` into a scratch prefix, then
# the installed peek-server and peek answer --version / --help, and the installed server starts
# on a scratch home, loads the bundled plugins from lib/peek/plugins and answers /health.
#
#   tests/check-install.sh BUILD_DIR
set -euo pipefail
build="$1"
work=$(mktemp -d)
pid=
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "check-install.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/usr" >"$work/install.log" || fail "cmake --install failed: $(tail -5 "$work/install.log")"
for f in bin/peek-server bin/peek lib/peek/libpeekcore.so.0 lib/peek/plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so \
    lib/peek/plugins/peek_plugin_tutorial/plugin.json lib/systemd/system/peek-server.service lib/systemd/system/peek-server@.service \
    share/applications/io.peek.field.desktop share/icons/hicolor/scalable/apps/io.peek.admin.svg share/metainfo/io.peek.office.metainfo.xml; do
    [[ -e "$work/usr/$f" ]] || fail "$f is not installed"
done
version=$("$work/usr/bin/peek-server" --version) || fail "the installed peek-server --version failed"
[[ "$version" == "peek-server "* ]] || fail "peek-server --version said '$version'"
QT_QPA_PLATFORM=offscreen "$work/usr/bin/peek" --help >"$work/help.txt" 2>/dev/null || fail "the installed peek --help failed"
grep -q "mode" "$work/help.txt" || fail "peek --help does not name the modes"

# The installed server on a scratch home, with ports of its own (PEEK_TEST_PORT_BASE when ctest gives one).
base=${PEEK_TEST_PORT_BASE:-19500}
home="$work/home"
mkdir -p "$home"
cat >"$home/config.json" <<JSON
{"roles": ["logic", "field"], "plugin": {"enabled": ["peek_plugin_tutorial"]},
 "ports": {"logicAdmin": $((base + 1)), "logicDataExchange": $((base + 2)), "field": $((base + 3)), "office": $((base + 4))}}
JSON
PEEK_PLUGIN_PATH= "$work/usr/bin/peek-server" --home "$home" --listen 127.0.0.1 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "peek-server: ready" "$work/server.log" && break; sleep 0.2; done
grep -q "peek-server: ready" "$work/server.log" || fail "the installed server did not start: $(tail -20 "$work/server.log")"
grep -q "lib/peek/plugins/peek_plugin_tutorial" "$home/peek-server.log" \
    || fail "the tutorial was not loaded from the installed lib/peek/plugins"
health=$(curl -s "http://127.0.0.1:$((base + 3))/health" | tr -d ' \n')
[[ "$health" == *'"status":"ok"'* ]] || fail "/health of the installed server: $health"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
echo "check-install.sh: installed $version; it started from its own files and answered /health: $health"

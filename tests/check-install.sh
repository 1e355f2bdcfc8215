#!/bin/bash
# The installed files work on their own (issue 17): `cmake --install` into a scratch prefix, then
# the installed peek-server and peek answer --version / --help, and the installed server starts
# on a scratch home, loads the bundled plugins from lib/peek/plugins and answers /health.
#
#   tests/check-install.sh BUILD_DIR
set -euo pipefail
build="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-install.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/usr" >"$work/install.log" || fail "cmake --install failed: $(tail -5 "$work/install.log")"
for f in bin/peek-server bin/peek lib/peek/libpeekcore.so.0 lib/peek/plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so \
    lib/peek/plugins/peek_plugin_tutorial/plugin.json lib/systemd/system/peek-server.service lib/systemd/system/peek-server@.service \
    share/applications/io.peek.field.desktop share/icons/hicolor/scalable/apps/io.peek.admin.svg share/metainfo/io.peek.office.metainfo.xml; do
    [[ -e "$work/usr/$f" ]] || fail "$f is not installed"
done
QT_QPA_PLATFORM=offscreen "$work/usr/bin/peek" --help >"$work/help.txt" 2>/dev/null || fail "the installed peek --help failed"
grep -q "mode" "$work/help.txt" || fail "peek --help does not name the modes"
# shellcheck source=tests/installed-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/installed-server.sh"
check_installed_server "$work/usr/bin/peek-server" "$work/usr/lib/peek/plugins" "$work"
echo "check-install.sh: installed $version; it started from its own files and answered /health: $health"

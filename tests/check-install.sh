#!/bin/bash
# The installed files work on their own (issue 17): `cmake --install` into a scratch prefix, then
# the installed peek-server and peek answer --version / --help, and the installed server starts
# on a scratch home, loads the bundled plugins from lib/peek/plugins and answers /health. Then the
# SDK (the peek-dev files, issue 18): the tutorial plugin configured and built out of Peek's tree
# with find_package(Peek) from the scratch prefix alone, packaged to a .peekplugin, and loaded
# by the installed server from that build. Last, `peek-server new-plugin` (issue 18): the plugin it
# writes is configured and built against the same prefix, its own test passes, it is packaged and
# the installed server runs it.
#
#   tests/check-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source_dir="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-install.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/usr" >"$work/install.log" || fail "cmake --install failed: $(tail -5 "$work/install.log")"
for f in bin/peek-server bin/peek lib/peek/libpeekcore.so.0 lib/peek/plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so \
    lib/peek/plugins/peek_plugin_tutorial/plugin.json lib/systemd/system/peek-server.service lib/systemd/system/peek-server@.service \
    share/applications/io.peek.field.desktop share/icons/hicolor/scalable/apps/io.peek.admin.svg share/metainfo/io.peek.office.metainfo.xml \
    lib/peek/libpeekcore.so include/peek/peek/plugin.h lib/cmake/Peek/PeekConfig.cmake lib/cmake/Peek/PeekConfigVersion.cmake \
    lib/cmake/Peek/PeekPlugin.cmake; do
    [[ -e "$work/usr/$f" ]] || fail "$f is not installed"
done
QT_QPA_PLATFORM=offscreen "$work/usr/bin/peek" --help >"$work/help.txt" 2>/dev/null || fail "the installed peek --help failed"
grep -q "mode" "$work/help.txt" || fail "peek --help does not name the modes"
# shellcheck source=tests/installed-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/installed-server.sh"
check_installed_server "$work/usr/bin/peek-server" "$work/usr/lib/peek/plugins" "$work"
echo "check-install.sh: installed $version; it started from its own files and answered /health: $health"

# The SDK: nothing of Peek's source or build tree but the plugin's own folder is reachable.
sdk="$work/sdk"
cmake -S "$source_dir/plugins/peek_plugin_tutorial" -B "$sdk" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$work/usr" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/sdk-configure.log" 2>&1 \
    || fail "configuring the tutorial against the installed SDK failed: $(tail -20 "$work/sdk-configure.log")"
if grep -q -- "$build\|$source_dir/core\|$source_dir/cmake" "$sdk/CMakeCache.txt" "$sdk/build.ninja"; then
    fail "the out-of-tree plugin build reaches into Peek's trees: $(grep -o -- "$build[^ ]*\|$source_dir/core[^ ]*\|$source_dir/cmake[^ ]*" "$sdk/build.ninja" | head -3)"
fi
cmake --build "$sdk" --target peek_plugin_tutorial_package >"$work/sdk-build.log" 2>&1 \
    || fail "building the tutorial against the installed SDK failed: $(tail -30 "$work/sdk-build.log")"
[[ -f "$sdk/plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so" ]] || fail "the SDK build made no plugin library"
ls "$sdk"/packages/*.peekplugin >/dev/null 2>&1 || fail "the SDK build made no .peekplugin package: $(ls "$sdk")"
rm -rf "$work/home"
check_installed_server "$work/usr/bin/peek-server" "$sdk/plugins" "$work"
echo "check-install.sh: the tutorial built against the installed SDK ($(basename "$sdk"/packages/*.peekplugin)) ran in the installed server"

# new-plugin: a plugin from the template, as its author gets it.
"$work/usr/bin/peek-server" new-plugin peek_plugin_site_notes --dir "$work" >"$work/new-plugin.log" 2>&1 \
    || fail "peek-server new-plugin failed: $(cat "$work/new-plugin.log")"
made="$work/peek_plugin_site_notes"
cmake -S "$made" -B "$made/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/usr" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    >"$work/made-configure.log" 2>&1 || fail "configuring the new plugin failed: $(tail -20 "$work/made-configure.log")"
cmake --build "$made/build" >"$work/made-build.log" 2>&1 || fail "building the new plugin failed: $(tail -30 "$work/made-build.log")"
ctest --test-dir "$made/build" --output-on-failure >"$work/made-test.log" 2>&1 \
    || fail "the new plugin's own test failed: $(grep -v 'QDEBUG\|QINFO' "$work/made-test.log" | tail -30)"
cmake --build "$made/build" --target peek_plugin_site_notes_package >>"$work/made-build.log" 2>&1 \
    || fail "packaging the new plugin failed: $(tail -10 "$work/made-build.log")"
ls "$made/build/packages"/peek_plugin_site_notes-0.1.0.peekplugin >/dev/null || fail "no .peekplugin for the new plugin"
rm -rf "$work/home"
check_installed_server "$work/usr/bin/peek-server" "$made/build/plugins" "$work" peek_plugin_site_notes
echo "check-install.sh: new-plugin's peek_plugin_site_notes built against the SDK, passed its test, packaged and ran in the installed server"

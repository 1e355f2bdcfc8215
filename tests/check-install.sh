#!/bin/bash
# The installed files work on their own (issue 17): `cmake --install` into a scratch prefix, then
# the installed peek-server and peek answer --version / --help, and the installed server starts
# on a scratch home, loads the bundled plugins from lib/peek/plugins and answers /health. Then the
# SDK (the peek-dev files, issue 18): the tutorial plugin configured and built out of Peek's tree
# with find_package(Peek) from the scratch prefix alone, packaged to a .peekplugin, and loaded
# by the installed server from that build. Last, docs/tutorial.md (tests/check-tutorial.sh):
# `peek-server new-plugin` writes a plugin, which is built against the same prefix, passes its own
# test, runs from its build folder, is packaged and installed into a running server.
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

# Configures the plugin project SOURCE in DIR against the scratch prefix alone (WHAT names it in
# errors), checks the build reaches into none of Peek's trees (its build, core/, cmake/), and builds
# it (further arguments go to cmake --build).
build_against_sdk() {
    local what="$1" src="$2" dir="$3"
    shift 3
    cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/usr" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$dir-configure.log" 2>&1 \
        || fail "configuring $what against the installed SDK failed: $(tail -20 "$dir-configure.log")"
    if grep -q -- "$build\|$source_dir/core\|$source_dir/cmake" "$dir/CMakeCache.txt" "$dir/build.ninja"; then
        fail "the build of $what reaches into Peek's trees: $(grep -o -- "$build[^ ]*\|$source_dir/core[^ ]*\|$source_dir/cmake[^ ]*" "$dir/build.ninja" | head -3)"
    fi
    cmake --build "$dir" "$@" >"$dir-build.log" 2>&1 || fail "building $what against the installed SDK failed: $(tail -30 "$dir-build.log")"
}

# The SDK: nothing of Peek's source or build tree but the plugin's own folder is reachable.
sdk="$work/sdk"
build_against_sdk "the tutorial" "$source_dir/plugins/peek_plugin_tutorial" "$sdk" --target peek_plugin_tutorial_package
[[ -f "$sdk/plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so" ]] || fail "the SDK build made no plugin library"
ls "$sdk"/packages/*.peekplugin >/dev/null 2>&1 || fail "the SDK build made no .peekplugin package: $(ls "$sdk")"
rm -rf "$work/home"
check_installed_server "$work/usr/bin/peek-server" "$sdk/plugins" "$work"
echo "check-install.sh: the tutorial built against the installed SDK ($(basename "$sdk"/packages/*.peekplugin)) ran in the installed server"

# The inbox, as a third party builds a plugin: its own project against the SDK alone, its own
# test (with the SDK's bundled tutorial sending it tasks).
inbox="$work/inbox"
build_against_sdk "the inbox" "$source_dir/plugins/peek_plugin_inbox" "$inbox"
ctest --test-dir "$inbox" --output-on-failure >"$work/inbox-test.log" 2>&1 \
    || fail "the inbox's own test failed against the SDK: $(grep -v 'QDEBUG\|QINFO' "$work/inbox-test.log" | tail -30)"
echo "check-install.sh: the inbox built on its own against the SDK and passed its test"

# The SDK checks views at build time (qmllint against the installed Peek module's types): the
# inbox's were checked, and a view with a misspelt property fails its plugin's build, naming it.
grep -q "Checking peek_plugin_inbox's views with qmllint" "$inbox-build.log" \
    || fail "the inbox's views were not checked against the SDK's Peek module (no qmllint step in $inbox-build.log)"
badview="$work/badview"
cp -r "$source_dir/plugins/peek_plugin_tutorial" "$badview-src"
sed -i '0,/plugin: "peek_plugin_tutorial"/s//plugn: "peek_plugin_tutorial"/' "$badview-src/qml/field/TutorialFieldView.qml"
grep -q 'plugn:' "$badview-src/qml/field/TutorialFieldView.qml" || fail "could not misspell a property in a copy of the tutorial's field view"
if (build_against_sdk "a view with a misspelt property" "$badview-src" "$badview" --target peek_plugin_tutorial_qmllint) 2>"$work/badview.err"; then
    fail "a view with a misspelt property (plugn:) built against the SDK without complaint"
fi
grep -q 'plugn' "$badview-build.log" || fail "the failed view check does not name the misspelt property: $(tail -5 "$badview-build.log")"
echo "check-install.sh: the SDK checks plugin views (a misspelt property fails the build, named)"

# new-plugin and the tutorial: every block of docs/tutorial.md, with the scratch prefix standing
# in for the packages (the commands find peek-server on PATH, Peek through CMAKE_PREFIX_PATH).
PATH="$work/usr/bin:$PATH" CMAKE_PREFIX_PATH="$work/usr" TUTORIAL_SCREENSHOTS="$build/screenshots" \
    "$(dirname "${BASH_SOURCE[0]}")/check-tutorial.sh" "$source_dir/docs/tutorial.md" "$work" \
    || fail "docs/tutorial.md does not work as written (above)"

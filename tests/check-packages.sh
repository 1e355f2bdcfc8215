#!/bin/bash
# The Debian packages (issue 17; packaging/packages.cmake): cpack builds peek-common, peek-server,
# peek and peek-dev from the install rules; lintian finds nothing; they install with dpkg -i on this machine, the installed
# peek-server --version and peek --help answer, the postinst made the peek user and
# /var/lib/peek, the installed server runs on a scratch home and answers /health, the tutorial
# plugin builds out of tree against the installed peek-dev (find_package(Peek) from /usr); purge removes
# the files, the home and the user.
#
#   tests/check-packages.sh BUILD_DIR SOURCE_DIR
# Installing needs root (or sudo without a password); without it, or when Peek packages are
# already installed here (a developer's own), the test says so and is skipped (exit 77).
set -euo pipefail
build="$(cd "$1" && pwd)"
source_dir="$2"
work=$(mktemp -d)
as_root=()
cleanup() {
    if [[ -n "${installed:-}" ]]; then
        "${as_root[@]}" dpkg --purge peek-dev peek peek-server peek-common >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-packages.sh: $*" >&2; exit 1; }
skip() { echo "check-packages.sh: skipped: $*" >&2; exit 77; }

if ((EUID != 0)); then
    sudo -n true 2>/dev/null || skip "installing packages needs root or sudo without a password"
    as_root=(sudo -n)
fi
for pkg in peek-dev peek peek-server peek-common; do
    if dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -q installed; then
        skip "$pkg is installed on this machine already; the test would replace it"
    fi
done

(cd "$build" && cpack -G DEB -B "$work/debs" >"$work/cpack.log" 2>&1) || fail "cpack failed: $(tail -20 "$work/cpack.log")"
debs=("$work/debs"/peek-common_*.deb "$work/debs"/peek-server_*.deb "$work/debs"/peek_*.deb "$work/debs"/peek-dev_*.deb)
for deb in "${debs[@]}"; do
    [[ -f "$deb" ]] || fail "cpack did not write $deb"
done
# Lintian: no error or warning (overrides only with their reason, packaging/debian/*.lintian-overrides).
command -v lintian >/dev/null || fail "lintian is missing (Debian lintian)"
lintian --fail-on error,warning "${debs[@]}" >"$work/lintian.log" 2>&1 || fail "lintian: $(grep -v 'root privileges' "$work/lintian.log")"
dpkg-deb -c "$work/debs"/peek-server_*.deb >"$work/server.contents"
dpkg-deb -c "$work/debs"/peek_*.deb >"$work/app.contents"
grep -q "./usr/lib/systemd/system/peek-server.service" "$work/server.contents" || fail "peek-server has no unit"
grep -q "./usr/share/applications/io.peek.field.desktop" "$work/app.contents" || fail "peek has no desktop entry"
dpkg-deb -c "$work/debs"/peek-dev_*.deb >"$work/dev.contents"
grep -q "./usr/lib/cmake/Peek/PeekConfig.cmake" "$work/dev.contents" || fail "peek-dev has no CMake package"

installed=1
"${as_root[@]}" dpkg -i "${debs[@]}" >"$work/dpkg.log" 2>&1 || fail "dpkg -i failed: $(tail -20 "$work/dpkg.log")"
QT_QPA_PLATFORM=offscreen /usr/bin/peek --help >"$work/help.txt" 2>/dev/null || fail "the installed peek --help failed"
getent passwd peek >/dev/null || fail "the postinst made no peek user"
[[ "$(stat -c %U /var/lib/peek)" == peek ]] || fail "/var/lib/peek is not the peek user's"
# shellcheck source=tests/installed-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/installed-server.sh"
check_installed_server /usr/bin/peek-server /usr/lib/peek/plugins "$work"
# peek-dev: the tutorial, on its own, against the SDK in /usr.
cmake -S "$source_dir/plugins/peek_plugin_tutorial" -B "$work/sdk" -G Ninja >"$work/sdk.log" 2>&1 \
    && cmake --build "$work/sdk" --target peek_plugin_tutorial_package >>"$work/sdk.log" 2>&1 \
    || fail "the tutorial does not build against the installed peek-dev: $(tail -30 "$work/sdk.log")"
grep -q "Peek_DIR:PATH=/usr/lib/cmake/Peek" "$work/sdk/CMakeCache.txt" || fail "find_package(Peek) did not use /usr: $(grep Peek_DIR "$work/sdk/CMakeCache.txt")"
ls "$work/sdk/packages"/peek_plugin_tutorial-*.peekplugin >/dev/null 2>&1 || fail "no .peekplugin from the peek-dev build"

"${as_root[@]}" dpkg --purge peek-dev peek peek-server peek-common >"$work/purge.log" 2>&1 || fail "dpkg --purge failed: $(tail -20 "$work/purge.log")"
installed=
[[ ! -e /usr/bin/peek-server && ! -e /usr/lib/peek ]] || fail "files are left after the purge"
[[ ! -e /var/lib/peek ]] || fail "/var/lib/peek is left after the purge"
! getent passwd peek >/dev/null || fail "the peek user is left after the purge"
echo "check-packages.sh: ${debs[*]##*/} built, installed ($version, /health: $health) and purged"

#!/usr/bin/env bash
# Runs a command against a real system keychain without touching the user's: a private D-Bus
# session (dbus-run-session) with gnome-keyring-daemon as its Secret Service, its "login"
# keyring created and unlocked with a throwaway password, in a scratch HOME and XDG dirs that
# are deleted afterwards. Used by ctest for tst_keychain; usable by hand:
#   bash tests/secrets/run-with-keyring.sh build/tests/secrets/tst_keychain_bin
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run-with-keyring.sh: '$tool' is not installed, so the keychain test cannot run." \
             "Install the packages dbus-daemon (or dbus) and gnome-keyring" \
             "(Debian/Ubuntu: apt-get install dbus gnome-keyring)." >&2
        exit 1
    fi
done

scratch="$(mktemp -d "${TMPDIR:-/tmp}/peek-keyring.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p -m 700 "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/run"
export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/data" # the keyrings go to $XDG_DATA_HOME/keyrings
export XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/run" # the daemon's control socket
# Nothing of the caller's session may leak in: its bus, its keyring, a KDE desktop (which would
# make QtKeychain pick KWallet).
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY \
      XDG_CURRENT_DESKTOP DESKTOP_SESSION GNOME_DESKTOP_SESSION_ID KDE_FULL_SESSION \
      KDE_SESSION_VERSION

# Inside the session: start the daemon (it reads the login keyring's password on stdin, creates
# the keyring on first use and unlocks it), take the variables it prints, then run the command.
# The daemon leaves when the session bus goes away at the end. (No exec: the trap cleans up.)
dbus-run-session -- bash -c '
    set -euo pipefail
    if ! env_lines="$(printf "%s" peek-test-pw \
            | gnome-keyring-daemon --unlock --components=secrets)"; then
        echo "run-with-keyring.sh: gnome-keyring-daemon --unlock failed" >&2
        exit 1
    fi
    while IFS= read -r line; do
        if [[ "$line" == *=* ]]; then export "$line"; fi
    done <<< "$env_lines"
    "$@"
' run-with-keyring "$@"

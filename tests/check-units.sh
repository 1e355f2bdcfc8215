#!/bin/bash
# The systemd units of packaging/systemd pass `systemd-analyze verify` (issue 17), with ExecStart
# pointed at the built peek-server (the packaged path, /usr/bin/peek-server, exists only once
# the package is installed), and their exposure stays "OK" or better (systemd-analyze security).
#
#   tests/check-units.sh SOURCE_DIR PEEK_SERVER_BINARY
set -euo pipefail
source_dir="$1"
binary="$2"
command -v systemd-analyze >/dev/null || { echo "check-units.sh: systemd-analyze is missing (Debian systemd)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$source_dir"/packaging/systemd/*.service; do
    sed "s|/usr/bin/peek-server|$binary|" "$unit" >"$work/$(basename "$unit")"
done
cp "$work/peek-server@.service" "$work/peek-server@logic.service"
status=0
for unit in peek-server.service peek-server@logic.service; do
    if ! out=$(systemd-analyze verify "$work/$unit" 2>&1) || [[ -n "$out" ]]; then
        echo "check-units.sh: $unit does not verify:" >&2
        echo "$out" >&2
        status=1
    fi
    exposure=$(systemd-analyze security --offline=true "$work/$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
    echo "$unit: verified; exposure $exposure"
    case "${exposure#* }" in
        OK | SAFE) ;;
        *) echo "check-units.sh: $unit is exposed ($exposure): keep its hardening options" >&2; status=1 ;;
    esac
done
exit $status

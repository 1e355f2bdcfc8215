#!/bin/bash
# The desktop entries and AppStream metainfo of packaging/desktop pass desktop-file-validate and
# appstreamcli validate (pedantic, offline), and every entry has its icon and metainfo (issue 17).
#
#   tests/check-desktop.sh SOURCE_DIR
set -euo pipefail
dir="$1/packaging/desktop"
for tool in desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || { echo "check-desktop.sh: $tool is missing (Debian desktop-file-utils, appstream)" >&2; exit 1; }
done
status=0
for entry in "$dir"/*.desktop; do
    id=$(basename "$entry" .desktop)
    if ! out=$(desktop-file-validate "$entry" 2>&1) || [[ -n "$out" ]]; then
        echo "check-desktop.sh: $id.desktop: $out" >&2
        status=1
    fi
    icon=$(sed -n 's/^Icon=//p' "$entry")
    [[ -f "$dir/$icon.svg" ]] || { echo "check-desktop.sh: $id.desktop names the icon $icon, which is not in $dir" >&2; status=1; }
    [[ -f "$dir/$id.metainfo.xml" ]] || { echo "check-desktop.sh: $id has no metainfo" >&2; status=1; }
done
if ! out=$(appstreamcli validate --no-net --pedantic "$dir"/*.metainfo.xml 2>&1); then
    echo "check-desktop.sh: appstreamcli: $out" >&2
    status=1
elif ! grep -q "Validation was successful.$" <<<"$out"; then
    echo "check-desktop.sh: appstreamcli found something to say: $out" >&2
    status=1
fi
((status == 0)) && echo "check-desktop.sh: $(ls "$dir"/*.desktop | wc -l) desktop entries and their metainfo are valid"
exit $status

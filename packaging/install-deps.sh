#!/usr/bin/env bash
# Installs the Debian packages of packaging/debian-build-deps.txt that are not installed yet.
# Idempotent: when everything is present it only asks dpkg and returns (no apt, no root needed).
#
#   packaging/install-deps.sh            install what is missing
#   packaging/install-deps.sh --check    list what is missing and exit 1 if anything is
#
# PEEK_DEPS_FILE overrides the package list (one package per line, '#' starts a comment).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deps_file="${PEEK_DEPS_FILE:-$script_dir/debian-build-deps.txt}"

check_only=0
case "${1:-}" in
    "") ;;
    --check) check_only=1 ;;
    -h | --help)
        sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "install-deps.sh: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
esac

die() {
    echo "install-deps.sh: $*" >&2
    exit 1
}

[[ -r "$deps_file" ]] || die "cannot read the package list $deps_file"
command -v dpkg-query >/dev/null 2>&1 \
    || die "dpkg-query not found: this script supports Debian 12 (or a derivative) only;" \
        "install the packages of $deps_file with your system's package manager"

# The wanted packages: comments and blank space stripped.
wanted=()
while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%%#*}"
    read -r -a words <<<"$line"
    wanted+=("${words[@]}")
done <"$deps_file"
((${#wanted[@]} > 0)) || exit 0

# One dpkg-query for all of them; packages dpkg has never heard of are simply not listed.
declare -A installed=()
while IFS=$'\t' read -r name status; do
    [[ "$status" == installed ]] && installed["$name"]=1
done < <(dpkg-query -W -f='${Package}\t${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)

missing=()
for pkg in "${wanted[@]}"; do
    [[ -n "${installed[$pkg]:-}" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi
if ((check_only)); then
    echo "missing Debian packages: ${missing[*]}"
    exit 1
fi

echo "install-deps.sh: installing missing Debian packages: ${missing[*]}" >&2

# Root runs apt directly; anyone else goes through sudo (non-interactive when there is no
# terminal to type a password into, e.g. in CI).
as_root=()
if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
        [[ -t 0 ]] || as_root+=(-n)
    else
        die "need root to install ${missing[*]}, and sudo is not installed;" \
            "run this script as root or install the packages yourself:" \
            "apt-get install ${missing[*]}"
    fi
fi

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
    || die "apt-get update failed"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

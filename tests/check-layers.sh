#!/usr/bin/env bash
# The layering of the source tree, checked from its includes (docs/architecture.md, "Layers"):
#   - a core module includes only modules at or below it, in the order of PEEK_CORE_MODULES
#     (core/CMakeLists.txt, the one place it is written);
#   - core includes no Gui, Widgets, Qml or Quick header;
#   - no include climbs out of its folder with "../" (it would bypass the include roots).
# The build enforces the first through each module's include root; this check also covers
# what the compiler cannot see (headers no target compiles) and says
# which rule a line breaks.
#
# tests/check-layers.sh [ROOT]   checks ROOT (default: the repository); exit 1 when a rule breaks
# tests/check-layers.sh --self-test   shows that each rule catches a breaking tree
set -euo pipefail

check() {
    local root="$1" failures=0
    local modules
    modules=$(sed -n 's/^set(PEEK_CORE_MODULES \([a-z ]*[a-z]\).*/\1/p' "$root/core/CMakeLists.txt")
    if [[ -z "$modules" ]]; then
        echo "check-layers: no 'set(PEEK_CORE_MODULES ...)' line in $root/core/CMakeLists.txt" >&2
        return 2
    fi
    local -A rank=()
    local i=0 m
    for m in $modules; do
        rank[$m]=$i
        i=$((i + 1))
    done

    local file line module target header
    while IFS= read -r file; do
        module=${file#"$root"/core/}
        module=${module%%/*}
        [[ -n "${rank[$module]+set}" ]] || continue
        while IFS= read -r line; do
            header=${line#*:}
            header=${header#*\"}
            header=${header%%\"*}
            target=${header%%/*}
            if [[ "$header" == */* && -n "${rank[$target]+set}" && ${rank[$target]} -gt ${rank[$module]} ]]; then
                echo "${file#"$root"/}:${line%%:*}: core/$module includes \"$header\" of core/$target, a module above it (order: $modules)"
                failures=$((failures + 1))
            fi
        done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
        while IFS= read -r line; do
            echo "${file#"$root"/}:${line%%:*}: core includes a GUI header: ${line#*:}"
            failures=$((failures + 1))
        done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(Qt(Gui|Widgets|Qml|Quick)/|Q(Gui)?Application>|QWidget>|QImage>|QPixmap>|QIcon>|QPainter>|QColor>|QFont>|QQml|QQuick)' "$file" || true)
    done < <(find "$root/core" -type f \( -name '*.h' -o -name '*.cpp' \) | sort)

    while IFS= read -r line; do
        echo "${line#"$root"/}: an include climbs out of its folder with \"../\" (include it by its module path)"
        failures=$((failures + 1))
    done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' --include='*.h' --include='*.cpp' \
                 "$root/core" "$root/server" "$root/plugins" 2>/dev/null || true)


    if ((failures > 0)); then
        echo "check-layers: $failures include(s) break the layering (docs/architecture.md, \"Layers\")" >&2
        return 1
    fi
    echo "check-layers: core modules ($modules), core without GUI: fine"
}

self_test() {
    local dir status=0
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' RETURN
    make_tree() {
        rm -rf "$dir/t"
        mkdir -p "$dir/t/core/low" "$dir/t/core/high" "$dir/t/server"
        echo 'set(PEEK_CORE_MODULES low high CACHE INTERNAL "")' > "$dir/t/core/CMakeLists.txt"
        printf '#include "low/a.h"\n#include <QObject>\n' > "$dir/t/core/high/b.cpp"
        printf '#pragma once\n#include <QString>\n' > "$dir/t/core/low/a.h"
    }
    expect() { # expect <fails|passes> <what> [line to add] [file]
        local want="$1" what="$2" out rc=0
        if [[ $# -ge 4 ]]; then
            echo "$3" >> "$dir/t/$4"
        fi
        out=$(check "$dir/t" 2>&1) || rc=$?
        if [[ "$want" == fails && $rc -ne 1 ]] || [[ "$want" == passes && $rc -ne 0 ]]; then
            echo "self-test: FAILED: $what: expected the check to $want (exit $rc)"; echo "$out"
            status=1
        else
            echo "self-test: $what: $want as it should${out:+ — $(echo "$out" | head -1)}"
        fi
        make_tree
    }
    make_tree
    expect passes "a well-layered tree"
    expect fails "a low module including a high one" '#include "high/b.h"' core/low/a.h
    expect fails "core including Qt Gui" '#include <QImage>' core/low/a.h
    expect fails "core including Qt Quick" '#include <QtQuick/QQuickItem>' core/high/b.cpp
    expect fails "an include with ../" '#include "../low/a.h"' core/high/b.cpp
    return $status
}

if [[ "${1:-}" == --self-test ]]; then
    self_test
else
    check "$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
fi

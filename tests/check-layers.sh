#!/usr/bin/env bash
# The layering of the source tree, checked from its includes (docs/architecture.md, "Layers"):
#   - a core module includes only modules at or below it, in the order of PEEK_CORE_MODULES
#     (core/CMakeLists.txt, the one place it is written);
#   - core includes no Gui, Widgets, Qml or Quick header;
#   - no include climbs out of its folder with "../" (it would bypass the include roots);
#   - a plugin (plugins/*, tests/plugins/*) includes from Peek only the plugin API, the headers
#     of core/api/peek/ ("peek/plugin.h", ...); besides those, its own files and the api/ folder
#     of another plugin (its published interface), never a core module, server or app header.
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

    local plugin dir inc base
    for plugin in "$root"/plugins/*/ "$root"/tests/plugins/*/; do
        [[ -d "$plugin" ]] || continue
        plugin=${plugin%/}
        while IFS= read -r file; do
            dir=$(dirname "$file")
            while IFS= read -r line; do
                inc=${line#*:}
                inc=${inc#*[\"<]}
                inc=${inc%%[\">]*}
                base=${inc%%/*}
                if [[ "$inc" == peek/* || "$inc" == *.moc ]]; then
                    continue
                fi
                if [[ "$line" == *'"'* ]] && { [[ -f "$dir/$inc" ]] || [[ -f "$plugin/$inc" ]]; }; then
                    continue # the plugin's own file
                fi
                if [[ "$line" == *'"'* ]] && compgen -G "$root/plugins/*/api/$inc" >/dev/null; then
                    continue # another plugin's published interface
                fi
                if [[ "$line" == *'"'* || -n "${rank[$base]+set}" || "$base" == server || "$base" == app || "$base" == host ]]; then
                    echo "${file#"$root"/}:${line%%:*}: plugin ${plugin##*/} includes \"$inc\", which is not part of the plugin API (include the peek/*.h header that offers it: core/api/peek/api.h lists them)"
                    failures=$((failures + 1))
                fi
            done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$file" || true)
        done < <(find "$plugin" -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
    done

    if ((failures > 0)); then
        echo "check-layers: $failures include(s) break the layering (docs/architecture.md, \"Layers\")" >&2
        return 1
    fi
    echo "check-layers: core modules ($modules), core without GUI, plugins on the plugin API: fine"
}

self_test() {
    local dir status=0
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' RETURN
    make_tree() {
        rm -rf "$dir/t"
        mkdir -p "$dir/t/core/low" "$dir/t/core/high" "$dir/t/server" "$dir/t/core/api/peek" \
            "$dir/t/plugins/p_one/api" "$dir/t/plugins/p_two"
        echo 'set(PEEK_CORE_MODULES low high CACHE INTERNAL "")' > "$dir/t/core/CMakeLists.txt"
        printf '#include "low/a.h"\n#include <QObject>\n' > "$dir/t/core/high/b.cpp"
        printf '#pragma once\n#include <QString>\n' > "$dir/t/core/low/a.h"
        printf '#pragma once\n#include "low/a.h"\n' > "$dir/t/core/api/peek/low.h"
        printf '#pragma once\n#include <peek/low.h>\n' > "$dir/t/plugins/p_one/api/oneapi.h"
        printf '#include "peek/low.h"\n#include "api/oneapi.h"\n#include "one.moc"\n' > "$dir/t/plugins/p_one/one.cpp"
        printf '#include "oneapi.h"\n#include <QObject>\n' > "$dir/t/plugins/p_two/two.cpp"
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
    expect fails "a plugin including a core module header" '#include "low/a.h"' plugins/p_two/two.cpp
    expect fails "a plugin including a core header with <>" '#include <high/b.h>' plugins/p_one/one.cpp
    expect fails "a plugin including another plugin's private header" '#include "two.h"' plugins/p_one/one.cpp
    expect fails "a plugin including the server" '#include "server/x.h"' plugins/p_two/two.cpp
    return $status
}

if [[ "${1:-}" == --self-test ]]; then
    self_test
else
    check "$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
fi

#!/bin/bash
# Every code block of docs/tutorial.md is run or compared (issue 18). Each block has a line
# before it saying how: `<!-- test: run -->` (shell commands, run in order in one shell),
# `<!-- test: in FILE -->` (the block is part of FILE, relative to the shell's folder then),
# `<!-- test: write FILE -->` (the reader writes FILE: it is written), `<!-- test: insert FILE
# before LINE -->` (the reader adds the block to FILE before the first line that reads LINE,
# leading blanks aside: it is added there), `<!-- test: replace FILE LINE -->` (the block takes
# the place of the first line that reads LINE), `<!-- test: server -->` (a
# peek-server command: started in the background, on test ports, until the next server block or the
# end; ready and /health "ok" are checked), `<!-- test: app -->` (a `peek field --server
# ws://localhost:8000 --page PLUGIN` command: the app runs offscreen against that server, must get
# the plugin's view and render it). A block without such a line fails the check.
#
#   tests/check-tutorial.sh TUTORIAL WORK_DIR
#   tests/check-tutorial.sh --self-test      the check fails where it must
# The commands find peek-server, cmake and ctest on PATH and Peek through CMAKE_PREFIX_PATH (as a
# reader's machine with the packages does); ports from PEEK_TEST_PORT_BASE; "/tmp/" in commands
# means WORK_DIR/tmp/, so a run leaves nothing behind and meets no reader's files.
set -euo pipefail
if [[ "${1:-}" == --self-test ]]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    fence='```'
    expect_failure() {
        local what="$1" doc="$scratch/$2.md"
        if "$0" "$doc" "$scratch/$2" >"$scratch/$2.log" 2>&1; then
            echo "check-tutorial.sh --self-test: $what passed the check" >&2
            exit 1
        fi
        grep -q "$3" "$scratch/$2.log" || { echo "check-tutorial.sh --self-test: $what: $(cat "$scratch/$2.log")" >&2; exit 1; }
    }
    printf 'text\n%s\necho unchecked\n%s\n' "$fence" "$fence" >"$scratch/bare.md"
    expect_failure "a block without a test line" bare "a code block without a <!-- test: ... --> line"
    printf '<!-- test: write a.txt -->\n%s\nsomething\n%s\n<!-- test: in a.txt -->\n%s\nelse\n%s\n' "$fence" "$fence" "$fence" "$fence" >"$scratch/differs.md"
    expect_failure "a block that differs from its file" differs "the block is not in a.txt as written"
    printf '<!-- test: run -->\n%s\nfalse\n%s\n' "$fence" "$fence" >"$scratch/fails.md"
    expect_failure "a command that fails" fails "docs/tutorial.md line 2"
    printf '<!-- test: write a.txt -->\n%s\none\nprivate:\n%s\n<!-- test: insert a.txt before private: -->\n%s\ntwo\n%s\n<!-- test: in a.txt -->\n%s\none\ntwo\nprivate:\n%s\n<!-- test: insert a.txt before public: -->\n%s\nthree\n%s\n' \
        "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" >"$scratch/insert.md"
    expect_failure "an insert before a line that is not there (after one that is)" insert "no line \"public:\" in a.txt"
    printf '<!-- test: write a.txt -->\n%s\none\n  two\n%s\n<!-- test: replace a.txt two -->\n%s\n  2\n%s\n<!-- test: in a.txt -->\n%s\none\n  2\n%s\n<!-- test: replace a.txt two -->\n%s\nx\n%s\n' \
        "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" "$fence" >"$scratch/replace.md"
    expect_failure "a replace of a line already replaced" replace "no line \"two\" in a.txt"
    echo "check-tutorial.sh --self-test: an unchecked block, a differing file, a failing command and a missing insert or replace line each fail the check"
    exit 0
fi
doc="$1"
work="$2"
mkdir -p "$work/tutorial"
script="$work/tutorial.sh"

cat >"$script" <<'PRELUDE'
set -euo pipefail
fail() { echo "check-tutorial.sh: $*" >&2; exit 1; }
server_pid=
server_log=
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop_server EXIT
tutorial_in() {
    local line="$1" file="$2" block content
    block=$(cat)
    [[ -f "$file" ]] || fail "docs/tutorial.md line $line: $file does not exist (in $PWD)"
    content=$(cat "$file")
    [[ "$content" == *"$block"* ]] || fail "docs/tutorial.md line $line: the block is not in $file as written"
}
tutorial_write() {
    local line="$1" file="$2"
    mkdir -p "$(dirname "$file")"
    cat >"$file"
}
# Puts the block (standard input) before (KEEP=1) or instead of (KEEP=0) the first line of FILE
# that reads ANCHOR, leading blanks aside.
tutorial_place() {
    local line="$1" file="$2" anchor="$3" keep="$4" block
    [[ -f "$file" ]] || fail "docs/tutorial.md line $line: $file does not exist (in $PWD)"
    block=$(cat)
    grep -qxF -- "$anchor" <(sed 's/^[[:space:]]*//' "$file") || fail "docs/tutorial.md line $line: no line \"$anchor\" in $file"
    BLOCK="$block" ANCHOR="$anchor" KEEP="$keep" awk 'BEGIN { done = 0 }
        !done { line = $0; sub(/^[ \t]+/, "", line); if (line == ENVIRON["ANCHOR"]) { print ENVIRON["BLOCK"]; done = 1; if (ENVIRON["KEEP"] == "0") next } }
        { print }' "$file" >"$file.tutorial" && mv "$file.tutorial" "$file"
}
tutorial_insert() {
    local line="$1" spec="$2"
    local file="${spec%% *}" rest="${spec#* }"
    local word="${rest%% *}" anchor="${rest#* }"
    [[ "$word" == before && -n "$anchor" ]] || fail "docs/tutorial.md line $line: write insert FILE before LINE"
    tutorial_place "$line" "$file" "$anchor" 1
}
tutorial_replace() {
    local line="$1" spec="$2"
    tutorial_place "$line" "${spec%% *}" "${spec#* }" 0
}
tutorial_server() {
    local line="$1" command home base=${PEEK_TEST_PORT_BASE:-19500}
    command=$(cat)
    command=${command//\$TUTORIAL_TMP/$TUTORIAL_TMP}
    stop_server
    [[ "$command" =~ --home\ ([^ ]+) ]] || fail "docs/tutorial.md line $line: a server block needs --home"
    home="${BASH_REMATCH[1]}"
    # The reader's server takes the default ports; the test's its own (config.json, first start).
    mkdir -p "$home"
    [[ -f "$home/config.json" ]] || printf '{"ports": {"logicAdmin": %d, "logicDataExchange": %d, "field": %d, "office": %d}}\n' \
        $((base + 11)) $((base + 12)) $((base + 13)) $((base + 14)) >"$home/config.json"
    server_log="$home/tutorial-server.out"
    bash -c "exec $command --listen 127.0.0.1" >"$server_log" 2>&1 &
    server_pid=$!
    for _ in $(seq 150); do grep -q "peek-server: ready" "$server_log" && break; sleep 0.2; done
    grep -q "peek-server: ready" "$server_log" || fail "docs/tutorial.md line $line: the server did not start: $(tail -20 "$server_log")"
    local health
    health=$(curl -s "http://127.0.0.1:$((base + 13))/health" | tr -d ' \n')
    [[ "$health" == *'"status":"ok"'* ]] || fail "docs/tutorial.md line $line: /health: $health"
}
# A field app opened on the tutorial's server (the reader's `peek field --server
# ws://localhost:8000 --page PLUGIN`): run offscreen against the test's field port with a scratch
# data folder; it must fetch the plugin's view and render its page to a PNG (copied into
# TUTORIAL_SCREENSHOTS when that is set).
tutorial_app() {
    local line="$1" command base=${PEEK_TEST_PORT_BASE:-19500} shot out plugin
    command=$(cat)
    [[ "$command" =~ --page\ ([a-z0-9_]+) ]] || fail "docs/tutorial.md line $line: an app block opens a plugin's page (--page NAME)"
    plugin="${BASH_REMATCH[1]}"
    command=${command//ws:\/\/localhost:8000/ws://127.0.0.1:$((base + 13))}
    shot="$TUTORIAL_TMP/app-$line.png"
    out="$TUTORIAL_TMP/app-$line.out"
    QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software timeout 90 \
        bash -c "exec $command --data '$TUTORIAL_TMP/app-$line' --screenshot '$shot'" >"$out" 2>&1 \
        || fail "docs/tutorial.md line $line: the app failed: $(tail -20 "$out")"
    [[ -s "$shot" ]] || fail "docs/tutorial.md line $line: the app wrote no screenshot: $(tail -20 "$out")"
    grep -q "fetched the field view of $plugin" "$out" \
        || fail "docs/tutorial.md line $line: the app did not get the field view of $plugin: $(tail -20 "$out")"
    if [[ -n "${TUTORIAL_SCREENSHOTS:-}" ]]; then
        mkdir -p "$TUTORIAL_SCREENSHOTS"
        cp "$shot" "$TUTORIAL_SCREENSHOTS/tutorial-$plugin-field.png"
    fi
}
PRELUDE

awk -v q="'" '
BEGIN { inblock = 0; directive = ""; bad = 0 }
inblock && /^```[ ]*$/ {
    if (kind != "run" && kind != "none") print "TUTORIAL_BLOCK"
    inblock = 0; next
}
inblock {
    if (kind == "none") next
    line = $0
    if (subtmp) gsub(/\/tmp\//, "$TUTORIAL_TMP/", line)
    print line; next
}
/^<!-- test: .* -->$/ { directive = $0; sub(/^<!-- test: /, "", directive); sub(/ -->$/, "", directive); next }
/^```/ {
    inblock = 1
    if (directive == "") {
        printf "check-tutorial.sh: docs/tutorial.md line %d: a code block without a <!-- test: ... --> line before it\n", NR > "/dev/stderr"
        bad = 1; kind = "none"; next
    }
    kind = directive; sub(/ .*/, "", kind)
    arg = directive; sub(/^[^ ]* ?/, "", arg)
    subtmp = (kind == "run" || kind == "server")
    if (kind == "run") print "echo \"check-tutorial.sh: docs/tutorial.md line " NR "\" >&2"
    else if (kind == "in" || kind == "write" || kind == "insert" || kind == "replace" || kind == "server" || kind == "app") {
        gsub(q, q "\\\\" q q, arg) # one shell word, whatever it holds
        print "tutorial_" kind " " NR " " q arg q " <<" q "TUTORIAL_BLOCK" q
    }
    else { printf "check-tutorial.sh: docs/tutorial.md line %d: unknown test directive \"%s\"\n", NR, kind > "/dev/stderr"; bad = 1; kind = "none" }
    directive = ""
    next
}
END { exit bad }
' "$doc" >>"$script"

cd "$work/tutorial"
mkdir -p "$work/tmp"
TUTORIAL_TMP="$work/tmp" bash "$script"
echo "check-tutorial.sh: every block of $(basename "$doc") ran or matched"

# Sourced by tests/check-install.sh and tests/check-packages.sh: runs an installed peek-server.
#
#   check_installed_server BINARY PLUGIN_DIR WORK_DIR [PLUGIN]
# Starts BINARY on a scratch home in WORK_DIR (logic and field; ports from PEEK_TEST_PORT_BASE)
# with PLUGIN (default: the tutorial) enabled by --enable-plugin, checks it loaded PLUGIN from
# PLUGIN_DIR (searched first, --plugin-dir, when it is not the installation's own
# lib/peek/plugins) and answers /health with "ok", stops it. Sets `version` and `health`; calls `fail` (the caller's) on any failure.
check_installed_server() {
    local binary="$1" plugins="$2" work="$3" plugin="${4:-peek_plugin_tutorial}"
    local base=${PEEK_TEST_PORT_BASE:-19500}
    local home="$work/home" pid
    version=$("$binary" --version) || fail "the installed peek-server --version failed"
    [[ "$version" == "peek-server "* ]] || fail "peek-server --version said '$version'"
    mkdir -p "$home"
    cat >"$home/config.json" <<JSON
{"roles": ["logic", "field"], "plugin": {"enabled": []},
 "ports": {"logicAdmin": $((base + 1)), "logicDataExchange": $((base + 2)), "field": $((base + 3)), "office": $((base + 4))}}
JSON
    local args=(--enable-plugin "$plugin")
    [[ "$(realpath "$plugins")" == "$(realpath "$(dirname "$binary")/../lib/peek/plugins")" ]] || args+=(--plugin-dir "$plugins")
    PEEK_PLUGIN_PATH= "$binary" --home "$home" --listen 127.0.0.1 "${args[@]}" >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q "peek-server: ready" "$work/server.log" && break; sleep 0.2; done
    if ! grep -q "peek-server: ready" "$work/server.log"; then
        kill "$pid" 2>/dev/null || true
        fail "the installed server did not start: $(tail -20 "$work/server.log")"
    fi
    health=$(curl -s "http://127.0.0.1:$((base + 3))/health" | tr -d ' \n')
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    grep -q "$plugins/$plugin" "$home/peek-server.log" || fail "$plugin was not loaded from $plugins: $(grep -i plugin "$home/peek-server.log" | tail -5)"
    [[ "$health" == *'"status":"ok"'* ]] || fail "/health of the installed server: $health"
}

#!/usr/bin/env bash
# Quick start: installs missing build dependencies (apt), builds Peek, and starts the server.
# Arguments go to peek-server unchanged, e.g. ./run.sh --port 9011 (see ./run.sh --help).
set -euo pipefail

caller_dir="$PWD"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

export QT_NO_GLIB=1

bash packaging/install-deps.sh

# Configure once; afterwards the build re-runs CMake by itself when a CMakeLists.txt changes.
if [[ ! -f build/CMakeCache.txt || ! -f build/build.ninja ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build build

# Start from the caller's directory so relative paths in the arguments mean what they say.
cd "$caller_dir"
exec "$root/build/server/peek-server" "$@"

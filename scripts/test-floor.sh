#!/usr/bin/env bash
# make test-floor: the unit and integration suites on the oldest Node.js and the oldest
# @pulumi/pulumi that package.json claims to support (engines.node and the peer range's floor),
# so that the floor we promise is tested, not assumed.
#
# Works on a copy of the tree in .floor/ so that the development install (Node 24, the newest SDK)
# is left as it is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf 'test-floor: %s\n' "$*" >&2; }

NODE_BIN="$(bash scripts/setup-node.sh --floor)"
export PATH="$NODE_BIN:$ROOT/node_modules/.bin:$PATH"
FLOOR_PULUMI="$(node -p 'require("./package.json").peerDependencies["@pulumi/pulumi"].match(/>=\s*([0-9.]+)/)[1]')"
log "node $(node --version), @pulumi/pulumi $FLOOR_PULUMI"

W="$ROOT/.floor"
rm -rf "$W"
mkdir -p "$W"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$W"
cd "$W"
npm ci --no-audit --no-fund --loglevel=error
npm install --no-save --no-audit --no-fund --loglevel=error "@pulumi/pulumi@$FLOOR_PULUMI"
[[ "$(node -p 'require("@pulumi/pulumi/package.json").version')" == "$FLOOR_PULUMI" ]] ||
    { log "error: @pulumi/pulumi $FLOOR_PULUMI did not install"; exit 1; }

export PATH="$W/node_modules/.bin:$PATH"
tsc -p tsconfig.json
chmod +x dist/local/cli.js
rm -rf node_modules/pulumi-ecr && mkdir -p node_modules/pulumi-ecr && cp -R package.json dist node_modules/pulumi-ecr/

mocha 'tests/unit/**/*.test.ts'
mocha --timeout 120000 'tests/integration/**/*.test.ts'

#!/usr/bin/env bash
# make bench: prints pulumi up / preview / refresh wall time for stacks of 1, 10, 50, 200 and 500 ECR
# repositories next to stacks of as many no-op dynamic resources, as ratios measured in the same run
# (median and spread of BENCH_RUNS runs), the ECR API calls per repository, and the checkpoint bytes
# per repository. BENCH_QUICK=1 (make bench-quick): sizes 1, 10, 50, one run each.
# Runs against a local ECR endpoint on loopback (started and stopped by the bench itself).
# Figures only, no pass/fail. Needs `make setup build` (make bench does both).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PATH="$PWD/.tools/bin:$PWD/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
export TS_NODE_PROJECT="$PWD/tests/tsconfig.json"
# The programs are compiled, not type-checked, so that the compiler's cost is not in the figures.
export TS_NODE_TRANSPILE_ONLY=true

[[ -x .tools/bin/pulumi ]] || { echo "bench: the Pulumi CLI is missing: run 'make setup-pulumi'" >&2; exit 1; }
[[ -f node_modules/pulumi-ecr/dist/sdk/index.js ]] || { echo "bench: run 'make build' first" >&2; exit 1; }

# The no-op floor's provider (examples/noop/provider.js) as an installed package, so that Pulumi stores
# it as it stores pulumi-ecr's providers: a one-line require() per resource, not its text by value.
rm -rf node_modules/pulumi-ecr-bench-noop && mkdir -p node_modules/pulumi-ecr-bench-noop
cp examples/noop/provider.js node_modules/pulumi-ecr-bench-noop/index.js
echo '{ "name": "pulumi-ecr-bench-noop", "version": "0.0.0", "private": true, "main": "index.js" }' >node_modules/pulumi-ecr-bench-noop/package.json

exec node -r ts-node/register "${1:-tests/bench/bench.ts}"

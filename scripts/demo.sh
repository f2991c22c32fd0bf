#!/usr/bin/env bash
# make demo: the root Pulumi program against a local ECR endpoint on loopback, end to end:
# up, push an image, up again reading it back by digest, preview, print the outputs, destroy.
# Needs `make setup build` (make demo does both). Leaves no process behind, even when interrupted.
#
# Against real AWS, run the same program with your own credentials and no endpoint override:
#   pulumi stack init dev && pulumi config set aws:region <region> && pulumi up
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PATH="$PWD/.tools/bin:$PWD/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
export TS_NODE_PROJECT="$PWD/tests/tsconfig.json"

[[ -x .tools/bin/pulumi ]] || { echo "demo: the Pulumi CLI is missing: run 'make setup-pulumi'" >&2; exit 1; }
[[ -f node_modules/pulumi-ecr/dist/sdk/index.js ]] || { echo "demo: run 'make build' first" >&2; exit 1; }

# The driver, the endpoint inside it, the CLI and the provider hosts share one process group;
# on any exit the whole group goes.
setsid node -r ts-node/register scripts/demo.ts &
pid=$!
cleanup() {
    trap - EXIT INT TERM
    if kill -0 -- "-$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

status=0
wait "$pid" || status=$?
# Anything of the demo still running now (a provider host, the CLI) is a leak: say so, then end it.
if pgrep -g "$pid" >/dev/null 2>&1; then
    echo "demo: processes were left behind and are being stopped:" >&2
    pgrep -g "$pid" -a >&2 || true
    [[ "$status" -ne 0 ]] || status=1
fi
exit "$status"

# Entry points, as in Pulumi provider repos: setup, build, demo, test, bench.
# Everything a fresh clone needs is installed from here; each step is cached so it runs once per machine.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK := false

MOCHA := node_modules/.bin/mocha

.PHONY: lint setup setup-nodejs setup-node setup-moto setup-pulumi setup-skopeo bench-local bench-load bench-images build test test-unit test-integration test-e2e test-floor demo bench bench-quick bench-profile clean

## setup: install everything the tests and the demo need (idempotent, cached)
setup: setup-node setup-moto setup-pulumi setup-skopeo

# Node.js 24 (pinned in scripts/setup-node.sh) from the npm registry into .tools/bin, first on PATH,
# unless the machine's own Node is at least that new. Every target below runs on it.
setup-nodejs:
	@bash scripts/setup-node.sh >/dev/null

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup-node: setup-nodejs node_modules/.installed

setup-moto:
	@command -v moto_server >/dev/null || python3 -m pip install --quiet 'moto[server]>=5.1,<6'

setup-pulumi:
	bash scripts/setup-pulumi.sh

# skopeo is the real OCI client the local ECR endpoint's registry tests push and pull with.
setup-skopeo:
	@command -v skopeo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo >/dev/null; }

## build: compile provider/, sdk/ and local/ to dist/, then install that build into node_modules/pulumi-ecr
# The examples, the demo and the dynamic-provider host load `pulumi-ecr` from node_modules exactly
# as a user's project does. It must be a real copy, not a link: Pulumi stores a provider module that
# lives under node_modules as a one-line require(), and anything else by value (kilobytes per resource).
build: setup-node
	node_modules/.bin/tsc -p tsconfig.json
	@chmod +x dist/local/cli.js 2>/dev/null || true
	@rm -rf node_modules/pulumi-ecr && mkdir -p node_modules/pulumi-ecr && cp -R package.json dist node_modules/pulumi-ecr/

## test: install what is needed, then run every test
test: setup build lint test-unit test-integration test-e2e

## lint: Prettier (formatting) and ESLint with typescript-eslint's recommended rules
lint: setup-node
	npm run --silent lint

test-unit: build
	$(MOCHA) 'tests/unit/**/*.test.ts'

test-integration: build
	$(MOCHA) --timeout 120000 'tests/integration/**/*.test.ts'

test-e2e: build
	@if ls tests/e2e/*.test.ts >/dev/null 2>&1; then $(MOCHA) --timeout 900000 'tests/e2e/**/*.test.ts'; fi

## test-floor: unit and integration suites on the oldest supported Node (20) and @pulumi/pulumi (the peer range's floor)
test-floor: setup-node setup-moto setup-skopeo
	bash scripts/test-floor.sh

## demo: pulumi up of the root program against a local ECR endpoint, then tear it down
demo: setup build
	bash scripts/demo.sh

## bench-local: the local ECR endpoint (memory and --data) next to moto: req/s and upload MB/s
bench-local: setup-node setup-moto build
	node -r ts-node/register/transpile-only tests/bench/local-bench.ts

## bench-load: ecr-local --data under 64 clients of mixed operations for a minute: req/s, p50/p99, errors, RSS, heap, lost writes after kill -9
bench-load: setup-node build
	node -r ts-node/register/transpile-only tests/bench/local-load.ts

## bench: print the benchmark figures (pulumi up/preview/refresh of 1 to 500 repositories vs no-op resources,
## API calls and state per repository; the local endpoint vs moto). Takes about 15 minutes on 2 cores.
bench: setup build
	bash scripts/bench.sh
	$(MAKE) --no-print-directory bench-local
	$(MAKE) --no-print-directory bench-load
	$(MAKE) --no-print-directory bench-images

## bench-images: a ~200 MB image pushed by Image (ECR API), a raw loopback upload, skopeo, and a re-push (MB/s, where the time goes)
bench-images: setup-node setup-skopeo build
	TS_NODE_PROJECT=tests/tsconfig.json node -r ts-node/register/transpile-only tests/bench/image-bench.ts

## bench-quick: the same figures for 1, 10 and 50 resources, one run each (a minute or two), for everyday use
bench-quick: setup build
	BENCH_QUICK=1 bash scripts/bench.sh

## bench-profile: CPU profiles of the provider process and the program during a preview of 500 repositories
bench-profile: setup build
	PROFILE_OPS=$${PROFILE_OPS:-preview,refresh} bash scripts/bench.sh tests/bench/profile.ts

clean:
	rm -rf dist .pulumi-state .bench .floor

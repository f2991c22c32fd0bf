#!/usr/bin/env bash
# Installs the Pulumi CLI, the Node.js language host and the dynamic-provider host into .tools/bin,
# at the version of the @pulumi/pulumi npm dependency, so that the Automation API's version check
# passes and the engine, the language host and the SDK speak the same protocol.
#
# The CLI cannot be downloaded on machines that only reach package registries, so it is built from
# the Go module proxy. Cached: if .tools/bin already holds the right version, this does nothing.
#
# Environment:
#   PULUMI_VERSION                    version to install (default: from node_modules/@pulumi/pulumi)
#   PULUMI_LANGUAGE_NODEJS_VERSION    Go module version of the language host (default: resolved)
#   PULUMI_SETUP_FORCE=1              rebuild even if .tools/bin is up to date
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMP="$BIN/.pulumi-version"

log() { printf 'setup-pulumi: %s\n' "$*" >&2; }
die() { printf 'setup-pulumi: error: %s\n' "$*" >&2; exit 1; }

# --- which version ----------------------------------------------------------------------------
read_npm_version() {
    local f
    for f in "$ROOT/node_modules/@pulumi/pulumi/package.json" "$ROOT/package.json"; do
        [[ -f "$f" ]] || continue
        node -e '
            const p = require(process.argv[1]);
            const v = p.name === "@pulumi/pulumi" ? p.version : (p.dependencies || {})["@pulumi/pulumi"];
            if (v) console.log(String(v).replace(/^[~^=v]+/, ""));
        ' "$f" && return 0
    done
    return 1
}

VERSION="${PULUMI_VERSION:-$(read_npm_version || true)}"
VERSION="${VERSION#v}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "cannot tell the @pulumi/pulumi version (got '${VERSION}'): run 'make setup-node' first or set PULUMI_VERSION"

# The dynamic-provider host is a script shipped inside the npm package; it runs the provider code
# with the program's node_modules, so it must come from there, not from a separate download.
NODE_PROVIDER="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

pulumi_version_of() { "$1" version 2>/dev/null | tr -d '[:space:]'; }

link_provider_host() {
    [[ -x "$NODE_PROVIDER" ]] || die "$NODE_PROVIDER is missing: run 'make setup-node' first"
    ln -sfn "$NODE_PROVIDER" "$BIN/pulumi-resource-pulumi-nodejs"
}

up_to_date() {
    [[ -z "${PULUMI_SETUP_FORCE:-}" ]] &&
        [[ -x "$BIN/pulumi" ]] &&
        [[ "$(head -n1 "$STAMP" 2>/dev/null)" == "v$VERSION" ]] &&
        [[ "$(pulumi_version_of "$BIN/pulumi")" == "v$VERSION" ]]
}

mkdir -p "$BIN"
export PULUMI_SKIP_UPDATE_CHECK=true

if up_to_date; then
    link_provider_host
    log "pulumi v$VERSION is already in $BIN"
    exit 0
fi

# --- a pulumi of the right version already on PATH? -------------------------------------------
found_on_path() {
    local p dir
    p="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v pulumi || true)"
    [[ -n "$p" ]] || return 1
    [[ "$(pulumi_version_of "$p")" == "v$VERSION" ]] || return 1
    p="$(readlink -f "$p")"
    dir="$(dirname "$p")"
    [[ -x "$dir/pulumi-language-nodejs" ]] || return 1
    ln -sfn "$p" "$BIN/pulumi"
    ln -sfn "$dir/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"
    log "using pulumi v$VERSION found at $p"
}

if found_on_path; then
    link_provider_host
    printf 'v%s\n' "$VERSION" >"$STAMP"
    exit 0
fi

# --- build from the Go module proxy -----------------------------------------------------------
command -v go >/dev/null || die "go is not installed; it is needed to build the Pulumi CLI"

# Default module and build caches so that a second build on the same machine is fast.
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN="${PULUMI_GOTOOLCHAIN:-auto}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
# Recent Pulumi releases can be newer than the checksum database the proxy mirrors; their sums are
# then recorded from the proxy itself (go.sum in the scratch module), other modules are verified.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"

PKG=github.com/pulumi/pulumi/pkg/v3
SDK=github.com/pulumi/pulumi/sdk/v3
LANG_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LDFLAGS="-s -w -X $SDK/go/common/version.Version=v$VERSION"

BUILD="$TOOLS/build/pulumi-v$VERSION"
mkdir -p "$BUILD"

download_json() { # module@version -> JSON from `go mod download`
    (cd "$BUILD" && go mod download -json "$1")
}

json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j[process.argv[1]]??"")})' "$1"; }

# `replace` directives of a module's go.mod that point at other modules (local paths are dropped:
# they only make sense inside the pulumi repository, where they point at the same release).
module_replaces() {
    awk '
        /^replace[ \t]*\(/ { block = 1; next }
        block && /^\)/     { block = 0; next }
        /^replace[ \t]/    { sub(/^replace[ \t]+/, ""); print; next }
        block && NF        { print }
    ' "$1" | grep -v '=>[[:space:]]*[./]' || true
}

# Writes a scratch go.mod that requires the given modules with the given replaces.
write_scratch_module() { # dir name gomod-with-replaces requirement...
    local dir="$1" name="$2" replaces_from="$3"
    shift 3
    mkdir -p "$dir"
    {
        printf 'module %s\n\ngo 1.21\n\n' "$name"
        local r
        for r in "$@"; do printf 'require %s\n' "$r"; done
        printf '\n'
        module_replaces "$replaces_from" | sed 's/^/replace /'
    } >"$dir/go.mod"
    # Keep go.sum from an earlier attempt: the build is then reproducible and offline-cached.
    touch "$dir/go.sum"
}

build_cli() {
    log "building pulumi v$VERSION from $PKG (first time: 10-25 minutes on 2 cores)"
    local mod
    mod="$(download_json "$PKG@v$VERSION" | json_field GoMod)" ||
        die "cannot download $PKG@v$VERSION from the Go module proxy ($(go env GOPROXY))"
    write_scratch_module "$BUILD/cli" pulumi-ecr.local/pulumi-cli "$mod" \
        "$PKG v$VERSION" "$SDK v$VERSION"
    (
        cd "$BUILD/cli"
        go get "$PKG/cmd/pulumi@v$VERSION" "$SDK@v$VERSION"
        go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/pulumi.new" "$PKG/cmd/pulumi"
    ) || die "building $PKG/cmd/pulumi failed (see above)"
    mv -f "$BIN/pulumi.new" "$BIN/pulumi"
}

# The language host is its own Go module without release tags: it is published only as
# pseudo-versions, so look for it at the commit the release was tagged on.
language_host_candidates() {
    if [[ -n "${PULUMI_LANGUAGE_NODEJS_VERSION:-}" ]]; then
        printf '%s\n' "$PULUMI_LANGUAGE_NODEJS_VERSION"
        return
    fi
    local info
    info="$(download_json "$PKG@v$VERSION" | json_field Info)" || return 0
    # The proxy records where a tagged version came from; the same commit carries the language
    # host's go.mod for this release. Try the commit (a full proxy resolves it), then the
    # pseudo-version it resolves to.
    node -e '
        const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const hash = j.Origin && j.Origin.Hash;
        if (!hash) process.exit(0);
        const t = new Date(j.Time).toISOString().replace(/[-:T]/g, "").slice(0, 14);
        console.log(hash);
        console.log(`v3.0.0-${t}-${hash.slice(0, 12)}`);
    ' "$info"
}

# Prints the version built, or nothing when the proxy does not serve the language host.
build_language_host() {
    local v mod=""
    for v in $(language_host_candidates); do
        if mod="$(download_json "$LANG_MOD@$v" 2>/dev/null | json_field GoMod 2>/dev/null)" && [[ -n "$mod" ]]; then
            break
        fi
        mod=""
    done
    if [[ -z "$mod" ]]; then
        log "note: the Go module proxy ($(go env GOPROXY)) does not serve $LANG_MOD for v$VERSION."
        log "      Without it the CLI cannot start a Node.js program from its directory ('pulumi up' in a"
        log "      project); the Automation API's inline programs need no language host, and the demo,"
        log "      e2e tests and bench here run that way. Set PULUMI_LANGUAGE_NODEJS_VERSION to retry."
        rm -f "$BIN/pulumi-language-nodejs"
        return 0
    fi
    v="$(json_field Version < <(cd "$BUILD" && go list -m -json "$LANG_MOD@$v"))"
    log "building pulumi-language-nodejs $v"
    write_scratch_module "$BUILD/language-nodejs" pulumi-ecr.local/pulumi-language-nodejs "$mod" \
        "$LANG_MOD $v" "$PKG v$VERSION" "$SDK v$VERSION"
    (
        cd "$BUILD/language-nodejs"
        go get "$LANG_MOD@$v" "$PKG@v$VERSION" "$SDK@v$VERSION"
        go build -trimpath -ldflags "$LDFLAGS" -o "$BIN/pulumi-language-nodejs.new" "$LANG_MOD"
    ) || die "building $LANG_MOD failed (see above)"
    mv -f "$BIN/pulumi-language-nodejs.new" "$BIN/pulumi-language-nodejs"
}

start=$SECONDS
# The scratch modules stay in $BUILD, so a failed build can be inspected and re-run by hand.
if [[ -n "${PULUMI_SETUP_FORCE:-}" || "$(pulumi_version_of "$BIN/pulumi" 2>/dev/null || true)" != "v$VERSION" ]]; then
    build_cli
fi
build_language_host
link_provider_host

got="$(pulumi_version_of "$BIN/pulumi")"
[[ "$got" == "v$VERSION" ]] || die "built pulumi reports version '$got', expected v$VERSION"
# The stamp also records a language host the proxy did not serve, so that later runs stay instant;
# PULUMI_SETUP_FORCE=1 tries again.
{
    printf 'v%s\n' "$VERSION"
    [[ -x "$BIN/pulumi-language-nodejs" ]] || printf 'pulumi-language-nodejs: not available from the Go module proxy\n'
} >"$STAMP"
log "pulumi v$VERSION and pulumi-resource-pulumi-nodejs are in $BIN ($((SECONDS - start)) s)"
[[ -x "$BIN/pulumi-language-nodejs" ]] && log "pulumi-language-nodejs is in $BIN"
exit 0

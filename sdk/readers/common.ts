/**
 * What every reader shares. The readers (this folder) run in the program's own process, not in the
 * dynamic-provider process: they call ECR through provider/client.ts and reuse provider/'s finders
 * and errors, never the other way round. Here: argument checks that run before any AWS call
 * (reusing `Failures` and the repository-name rule from provider/validate.ts), the one way a bad
 * argument is raised, and how an image's registry address is derived without an extra API call.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputPropertiesError } from "@pulumi/pulumi/errors";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion, setStackMaxRetries } from "../../provider/client";
import { wrap } from "../../provider/errors";
import { findRepositoryByName } from "../../provider/repository";
import { Failures } from "../../provider/validate";

/** An image or layer digest as ECR stores them: `sha256:` and 64 lower-case hex digits. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** ECR's image tag rule: 1 to 300 characters (PutImage API reference). */
export const IMAGE_TAG_MAX = 300;
/** ECR's registry id rule: a 12-digit account id. */
export const REGISTRY_ID_PATTERN = /^[0-9]{12}$/;
/** `maxResults` of DescribeImages / DescribeRepositories: the largest page ECR serves. */
export const PAGE_SIZE = 1000;

/** Adds a failure unless `value` is a digest (`sha256:<64 hex>`). */
export function checkDigest(f: Failures, property: string, value: unknown): void {
    if (typeof value !== "string" || !DIGEST_PATTERN.test(value)) {
        f.add(property, `must be a digest of the form "sha256:<64 lower-case hex digits>", got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless `value` is an image tag. */
export function checkTag(f: Failures, property: string, value: unknown): void {
    if (typeof value !== "string" || value.length === 0 || value.length > IMAGE_TAG_MAX) {
        f.add(property, `must be an image tag of 1 to ${IMAGE_TAG_MAX} characters, got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless `value` is undefined or a 12-digit registry (account) id. */
export function checkRegistryId(f: Failures, property: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value !== "string" || !REGISTRY_ID_PATTERN.test(value)) {
        f.add(property, `must be a 12-digit AWS account id, got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless exactly one of `selectors` is set (a `false` boolean counts as unset). */
export function checkExactlyOne(f: Failures, args: Record<string, unknown>, selectors: readonly string[]): void {
    const set = selectors.filter((k) => args[k] !== undefined && args[k] !== null && args[k] !== false);
    if (set.length === 1) return;
    const list = selectors.map((s) => `\`${s}\``).join(", ");
    if (set.length === 0) f.add(selectors.join(" | "), `set exactly one of ${list}`);
    else f.add(set.join(" | "), `set exactly one of ${list}, not ${set.map((s) => `\`${s}\``).join(" and ")}`);
}

/** Adds a failure unless `value` is a non-empty list. Returns whether it is one. */
export function checkNonEmptyList(f: Failures, property: string, value: unknown): value is unknown[] {
    if (!Array.isArray(value) || value.length === 0) {
        f.add(property, `must be a non-empty list, got ${JSON.stringify(value)}`);
        return false;
    }
    return true;
}

/**
 * Throws when any check failed: one `InputPropertiesError` (which the Pulumi engine prints per
 * property) whose message names the function and every bad argument with its fix.
 */
export function assertValid(fn: string, f: Failures): void {
    if (f.list.length === 0) return;
    const detail = f.list.map((x) => `\`${x.property}\` ${x.reason}`).join("; ");
    throw new InputPropertiesError({
        message: `invalid arguments to ${fn}: ${detail}`,
        errors: f.list.map((x) => ({ propertyPath: x.property, reason: x.reason })),
    });
}

/**
 * The client a data source reads through (the shared one for `region`, or one a test hands in)
 * and the region it reads: `region`, else the client's (the AWS SDK's default chain).
 */
export async function clientFor(region: string | undefined, client?: ECRClient): Promise<{ client: ECRClient; region: string }> {
    // The stack's retry budget, read here as the providers' `configure` reads it in theirs: one budget for every call.
    if (!client) setStackMaxRetries(new pulumi.Config("aws").get("maxRetries"));
    const c = client ?? ecrClient(region);
    return { client: c, region: region ?? (client ? await client.config.region() : await resolveRegion()) };
}

/** Unix time in whole seconds, as `aws.ecr.getImage` reports `imagePushedAt`. */
export function unixSeconds(d: Date | undefined): number | undefined {
    return d === undefined ? undefined : Math.floor(d.getTime() / 1000);
}

/** The endpoint URL this process is told to use instead of AWS (client option or SDK environment variables). */
async function customEndpoint(client: ECRClient): Promise<URL | undefined> {
    if (client.config.isCustomEndpoint && client.config.endpoint) {
        const e = await client.config.endpoint();
        return new URL(`${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ""}`);
    }
    const ignore = (process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? "").toLowerCase() === "true";
    const fromEnv = ignore ? undefined : process.env.AWS_ENDPOINT_URL_ECR || process.env.AWS_ENDPOINT_URL;
    return fromEnv ? new URL(fromEnv) : undefined;
}

/**
 * Repository URLs ECR reported, per endpoint, region, registry and name: one DescribeRepositories
 * per repository per process. Kept on `globalThis` like the client cache (see provider/client.ts).
 */
function reportedUris(): Map<string, Promise<string>> {
    const g = globalThis as { __pulumiEcrRepositoryUris?: Map<string, Promise<string>> };
    return (g.__pulumiEcrRepositoryUris ??= new Map());
}

/**
 * `<registry host>/<repository>`: the repositoryUri ECR reports for the repository, which every
 * image URI a data source returns starts with.
 *
 * On AWS's own endpoints the URI is derived without a call: `<registryId>.dkr.ecr.<region>.<suffix>`
 * (the suffix from the SDK's endpoint rules, so China and GovCloud partitions are right; FIPS and
 * dual-stack API endpoints do not change the registry host). Behind an endpoint override
 * (`AWS_ENDPOINT_URL_ECR`: a VPC endpoint, a proxy, moto, the local endpoint) the registry host
 * cannot be told from the API host, so the URI is the one DescribeRepositories reports, asked once
 * per repository per process and cached.
 */
export async function repositoryUri(client: ECRClient, registryId: string, region: string, repositoryName: string): Promise<string> {
    const custom = await customEndpoint(client);
    if (!custom) {
        const api = client.config.endpointProvider({ Region: region }).url.host; // api.ecr.<region>.<suffix>
        const prefix = `api.ecr.${region}.`;
        const suffix = api.startsWith(prefix) ? api.slice(prefix.length) : "amazonaws.com";
        return `${registryId}.dkr.ecr.${region}.${suffix}/${repositoryName}`;
    }
    const key = `${custom.href}|${region}|${registryId}|${repositoryName}`;
    const cache = reportedUris();
    let uri = cache.get(key);
    if (!uri) {
        uri = wrap("reading", "Repository", repositoryName, async () => {
            const repo = await findRepositoryByName(client, repositoryName, registryId || undefined);
            if (!repo.repositoryUri) throw new Error("DescribeRepositories returned no repositoryUri");
            return repo.repositoryUri;
        });
        cache.set(key, uri);
        uri.catch(() => cache.delete(key)); // a failed read is not remembered
    }
    return uri;
}

/** Forgets the cached repository URLs (tests point the process at a fresh endpoint). @internal */
export function resetRepositoryUris(): void {
    reportedUris().clear();
}

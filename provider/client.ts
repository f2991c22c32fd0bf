/**
 * The one place that builds an ECRClient.
 *
 * Region: the resource's own `region`, else the stack's `aws:region` (handed over by the dynamic
 * provider's `configure`), else the AWS SDK's default chain (AWS_REGION, AWS_DEFAULT_REGION, the
 * shared config profile). Endpoint: the SDK's standard `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL`,
 * which is how tests and the offline mode point at a local endpoint. Credentials: always the SDK's
 * default chain, never resource inputs, so they never reach state.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ECRClient } from "@aws-sdk/client-ecr";
import { useNativeLayerPartEncoding } from "./images/partBody";

/** Throttling and 5xx are retried by the SDK's standard strategy; its token bucket bounds the budget. */
const DEFAULT_MAX_ATTEMPTS = 5;

let stackRegion: string | undefined;
const clients = new Map<string, ECRClient>();

/** The providers' `configure`: runs once per serialized provider per process and takes the stack's `aws:region`. */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
    stackRegion = req.config.get("aws:region") || undefined;
}

/** Returns a cached client for `region` (or the default region when undefined). */
export function ecrClient(region?: string): ECRClient {
    const key = region || stackRegion || "";
    let client = clients.get(key);
    if (!client) {
        const maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS) || DEFAULT_MAX_ATTEMPTS;
        client = new ECRClient({
            region: key || undefined,
            retryMode: process.env.AWS_RETRY_MODE === "adaptive" ? "adaptive" : "standard",
            maxAttempts,
        });
        useNativeLayerPartEncoding(client); // layer parts base64-encoded natively: see images/partBody.ts
        clients.set(key, client);
    }
    return client;
}

/**
 * The region a call without an explicit region would use, resolved the way the SDK does.
 * Fails with a message that names the three ways to set one.
 */
export async function resolveRegion(region?: string): Promise<string> {
    if (region) return region;
    if (stackRegion) return stackRegion;
    try {
        const resolved = await ecrClient().config.region();
        if (resolved) return resolved;
    } catch {
        // fall through to the explanatory error below
    }
    throw new Error(
        "no AWS region is set: set `region` on the resource, run `pulumi config set aws:region <region>`, or export AWS_REGION",
    );
}

/** Drops cached clients (tests change the endpoint between runs). @internal */
export function resetClients(): void {
    for (const c of clients.values()) c.destroy();
    clients.clear();
}

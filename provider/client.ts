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
import type { ECRClient, ECRClientConfig } from "@aws-sdk/client-ecr";
import { useNativeLayerPartEncoding } from "./images/partBody";

/**
 * The attempt budget of every call, first try included: 25, as `@pulumi/aws` and the Terraform AWS
 * provider default to. Like `aws:maxRetries` there ("the maximum number of times an AWS API request
 * is being executed"), the number counts executions, so 25 means the first try and up to 24 retries.
 */
export const DEFAULT_MAX_ATTEMPTS = 25;

/**
 * The process's clients and the stack's region, kept on `globalThis` rather than in module
 * variables. When Pulumi stores a provider by value (linked and workspace installs), each stored
 * function gets its own copy of the module variables it uses, taken when the program ran: a Map
 * copied that way has lost its internal slots ("Map.prototype.get called on incompatible receiver"),
 * and what `configure` sets would not be seen by `ecrClient`. One object per process avoids both.
 */
interface ClientState {
    stackRegion?: string;
    /** The stack's `aws:maxRetries` (as `@pulumi/aws` names it), taken by `configure` or, in the program, by the data sources. */
    stackMaxAttempts?: number;
    clients: Map<string, ECRClient>;
    /** Unset in production: clients use the SDK's standard (or adaptive) strategy with its capped, jittered backoff. */
    retryStrategyOverride?: (maxAttempts: number) => RetryStrategy;
}
function state(): ClientState {
    const g = globalThis as { __pulumiEcrClientState?: ClientState };
    return (g.__pulumiEcrClientState ??= { clients: new Map() });
}

/** A retry strategy as the ECR client takes it. @internal */
export type RetryStrategy = NonNullable<ECRClientConfig["retryStrategy"]>;

/**
 * The attempt budget of every call (first try included). The one place the number comes from:
 * the stack's `aws:maxRetries` when set (explicit, per stack, so it wins), else `AWS_MAX_ATTEMPTS`
 * (the AWS SDKs' process-wide setting), else {@link DEFAULT_MAX_ATTEMPTS}. @internal
 */
export function maxAttempts(): number {
    const fromStack = state().stackMaxAttempts;
    if (fromStack !== undefined) return fromStack;
    const fromEnv = parseAttempts(process.env.AWS_MAX_ATTEMPTS);
    return typeof fromEnv === "number" ? fromEnv : DEFAULT_MAX_ATTEMPTS;
}

/** A whole number of attempts >= 1, undefined when unset, or the reason it is not valid. */
function parseAttempts(raw: string | undefined): number | undefined | { problem: string } {
    if (raw === undefined || raw.trim() === "") return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) return { problem: `must be a whole number of attempts, at least 1, got '${raw}'` };
    return n;
}

/**
 * Takes the stack's `aws:maxRetries` (raw config text, or undefined when unset) as the attempt budget.
 * The providers' `configure` calls it with the engine's stack config; the data sources call it in the
 * program's process with `new pulumi.Config("aws")`. Fails with the fix when the value is not a
 * whole number >= 1. Drops cached clients when the budget changes. @internal
 */
export function setStackMaxRetries(raw: string | undefined): void {
    const parsed = parseAttempts(raw);
    if (typeof parsed === "object") {
        throw new Error(
            `aws:maxRetries ${parsed.problem}. Hint: run \`pulumi config set aws:maxRetries 25\` (or remove it for the default)`,
        );
    }
    const s = state();
    if (s.stackMaxAttempts !== parsed) {
        s.stackMaxAttempts = parsed;
        resetClients();
    }
}

/**
 * Test hook: every client built from now on takes its retry strategy from `make`, given the attempt
 * budget of {@link maxAttempts}. Unit tests pass the SDK's `ConfiguredRetryStrategy` with a zero
 * delay, so they count real retries without waiting on real backoff. Call with no argument to
 * restore the SDK's own strategy. Drops cached clients either way. @internal
 */
export function setRetryStrategyForTests(make?: (maxAttempts: number) => RetryStrategy): void {
    state().retryStrategyOverride = make;
    resetClients();
}

/** The providers' `configure`: runs once per serialized provider per process and takes the stack's `aws:region`. */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
    state().stackRegion = req.config.get("aws:region") || undefined;
    setStackMaxRetries(req.config.get("aws:maxRetries"));
}

/**
 * The AWS SDK's ECR module, loaded on first use instead of at module top: `check` and `diff` (all
 * a preview runs) never call AWS, and loading the SDK costs about 100 ms of each provider process's
 * start. A `require` inside a function also survives Pulumi's closure serializer when it stores a
 * provider by value: the stored text keeps `require("@aws-sdk/client-ecr")`, resolved at run time.
 * @internal
 */
export function awsSdk(): typeof import("@aws-sdk/client-ecr") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
    return require("@aws-sdk/client-ecr");
}

/**
 * On Node 20 the AWS SDK prints a multi-line notice (its releases after January 2027 need Node 22)
 * from every process that builds a client: in `pulumi up` that is the provider host of every
 * resource, shown as empty messages. The README says it once: Node 20 is our floor until the AWS
 * SDK drops it. A user who sets the variable keeps their choice.
 */
function quietNodeNotice(): void {
    if (Number(process.versions.node.split(".")[0]) < 22) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** Returns a cached client for `region` (or the default region when undefined). */
export function ecrClient(region?: string): ECRClient {
    const { stackRegion, clients, retryStrategyOverride } = state();
    const key = region || stackRegion || "";
    let client = clients.get(key);
    if (!client) {
        quietNodeNotice();
        const attempts = maxAttempts();
        client = new (awsSdk().ECRClient)({
            region: key || undefined,
            retryMode: process.env.AWS_RETRY_MODE === "adaptive" ? "adaptive" : "standard",
            maxAttempts: attempts,
            ...(retryStrategyOverride ? { retryStrategy: retryStrategyOverride(attempts) } : {}),
        });
        withoutRetryQuota(client);
        useNativeLayerPartEncoding(client); // layer parts base64-encoded natively: see images/partBody.ts
        clients.set(key, client);
    }
    return client;
}

/**
 * Switches off the SDK's retry quota (its client-wide token bucket) and keeps everything else of its
 * strategy: which errors retry, the attempt budget, and the capped, jittered exponential backoff.
 * The bucket holds 500 tokens; each retry of a 5xx or reset costs 14 and only a success refunds, so
 * on a bad day (a third or more of calls failing) one long `pulumi up` drains it and every later
 * call fails on its first error, whatever the budget. The Terraform AWS provider, which `@pulumi/aws`
 * wraps, runs its SDK without this limiter for the same reason; the backoff alone paces retries.
 */
function withoutRetryQuota(client: ECRClient): void {
    const config = client.config as { retryStrategy: () => Promise<unknown> };
    const strategy = config.retryStrategy;
    config.retryStrategy = async () => {
        const s = (await strategy()) as { getCapacityCost?: unknown; standardRetryStrategy?: { getCapacityCost?: unknown } };
        // Standard strategies price retries here; the adaptive one delegates to a standard one.
        for (const target of [s, s.standardRetryStrategy]) {
            if (target && typeof target.getCapacityCost === "function") target.getCapacityCost = () => 0;
        }
        return s;
    };
}

/**
 * The region a call without an explicit region would use, resolved the way the SDK does.
 * Fails with a message that names the three ways to set one.
 */
export async function resolveRegion(region?: string): Promise<string> {
    if (region) return region;
    const { stackRegion } = state();
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
    const { clients } = state();
    for (const c of clients.values()) c.destroy();
    clients.clear();
}

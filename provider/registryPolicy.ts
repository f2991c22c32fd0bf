/**
 * ECR Registry Policy: the one resource-based policy of a private registry (who may replicate into
 * it, create repositories in it, pull through its caches). Follows `aws.ecr.RegistryPolicy`.
 *
 * The registry has one policy, which RegistryPolicyStatement resources (in this or another stack)
 * may share statement by statement. This resource owns the whole document, so it refuses to erase
 * statements it did not write: create refuses when the registry's policy already holds statements
 * the program does not declare, update refuses when statements appeared that are neither in its
 * last known state nor in the program, and delete keeps those statements (writing them back)
 * instead of deleting the policy. `pulumi refresh` takes such statements into state as drift, after
 * which the next update removes them: that is the explicit way to take the document over.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { DeleteRegistryPolicyCommand, ECRClient, GetRegistryPolicyCommand, PutRegistryPolicyCommand } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, goneOr, isA, notFound, wrap } from "./errors";
import { canonicalJson, canonicalOrRaw, Json, JsonObject, parsePolicy } from "./policyDocument";
import { iamPoliciesEquivalent, normalizeIamPolicy, validateIamPolicy } from "./repositoryPolicy";
import { containsUnknown, Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Registry Policy";
/** The exceptions that mean "the registry has no policy": read and delete share them. */
export const REGISTRY_POLICY_GONE = ["RegistryPolicyNotFoundException"] as const;
/** The policy language version written when a per-statement resource starts a new document. */
export const POLICY_VERSION = "2012-10-17";

/** Inputs after `check()`. */
export interface RegistryPolicyInputs {
    /** Canonical JSON (sorted keys, no whitespace). */
    policy: string;
    region: string;
}

/** What the resource reports. */
export interface RegistryPolicyOutputs extends RegistryPolicyInputs {
    registryId: string;
}

// ---------- finder and document helpers (shared with RegistryPolicyStatement and the data source) ----------

/** The registry's policy text and id, or NotFoundError when the registry has no policy. */
export async function findRegistryPolicy(client: ECRClient): Promise<{ policy: string; registryId: string }> {
    let out;
    try {
        out = await client.send(new GetRegistryPolicyCommand({}));
    } catch (e) {
        throw goneOr(e, REGISTRY_POLICY_GONE, KIND, "registry");
    }
    if (!out.policyText) throw notFound(KIND, "registry", { registryId: out.registryId });
    return { policy: out.policyText, registryId: out.registryId ?? "" };
}

/** The statements of a policy document, always as a list (IAM allows a single object). */
export function statementsOf(doc: JsonObject | undefined): Json[] {
    const s = doc?.Statement;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
}

/** A statement's meaning as a string: two statements are the same when their keys are equal. */
export function statementKey(st: Json): string {
    return canonicalJson(normalizeIamPolicy({ Statement: [st] }));
}

/** The statement's `Sid`, or undefined. */
export function sidOf(st: Json): string | undefined {
    return st && typeof st === "object" && !Array.isArray(st) && typeof st.Sid === "string" && st.Sid !== "" ? st.Sid : undefined;
}

/** How a statement is named in messages: its Sid, else its position. */
const describeStatement = (st: Json, i: number) => (sidOf(st) ? `Sid "${sidOf(st)}"` : `statement #${i + 1} (no Sid)`);

/** Statements of `current` that mean something none of `known` documents holds. */
export function foreignStatements(current: JsonObject | undefined, ...known: (string | undefined)[]): string[] {
    const keys = new Set<string>();
    for (const text of known) {
        if (!text || text === UNKNOWN) continue;
        const parsed = parsePolicy(text);
        if (!("error" in parsed)) for (const st of statementsOf(parsed.doc)) keys.add(statementKey(st));
    }
    return statementsOf(current)
        .map((st, i) => (keys.has(statementKey(st)) ? undefined : describeStatement(st, i)))
        .filter((x): x is string => x !== undefined);
}

/** The current document, or undefined when the registry has no policy (or ECR's text is not JSON). */
async function currentDocument(client: ECRClient): Promise<JsonObject | undefined> {
    try {
        const parsed = parsePolicy((await findRegistryPolicy(client)).policy);
        return "error" in parsed ? undefined : parsed.doc;
    } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
    }
}

function refuseForeign(action: string, region: string, foreign: string[], hint: string): never {
    throw new EcrError(
        action,
        KIND,
        region,
        new Error(
            `the registry's policy holds statements this resource did not write and the program does not declare: ${foreign.join(", ")}`,
        ),
        hint,
    );
}

// ---------- provider ----------

/** Validates the document and stores it as canonical JSON. Runs before any AWS call. */
export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    let policy: unknown = n.policy;
    if (policy === undefined || policy === null) {
        f.add("policy", "is required: give the registry policy as a JSON string or a policy document object");
    } else if (!containsUnknown(policy)) {
        const parsed = parsePolicy(policy);
        if ("error" in parsed) f.add("policy", parsed.error);
        else {
            for (const problem of validateIamPolicy(parsed.doc)) f.add("policy", problem);
            policy = canonicalJson(parsed.doc);
        }
    } else {
        policy = UNKNOWN;
    }
    const region = await f.regionOrDefault("region", n.region);
    return { inputs: { policy, region }, failures: f.list };
}

export async function diff(_id: string, olds: RegistryPolicyOutputs, news: RegistryPolicyInputs): Promise<dynamic.DiffResult> {
    const replaces = (olds.region ?? news.region) !== news.region ? ["region"] : [];
    const changed = news.policy === UNKNOWN || !iamPoliciesEquivalent(olds.policy, news.policy);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

async function put(client: ECRClient, policy: string): Promise<string> {
    const out = await client.send(new PutRegistryPolicyCommand({ policyText: policy }));
    return out.registryId ?? "";
}

export async function create(inputs: RegistryPolicyInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const registryId = await wrap("creating", KIND, inputs.region, async () => {
        const foreign = foreignStatements(await currentDocument(client), inputs.policy);
        if (foreign.length > 0) {
            refuseForeign(
                "creating",
                inputs.region,
                foreign,
                "another stack's RegistryPolicyStatement or a change made outside Pulumi owns them; manage the policy in one place: add them to `policy`, or declare each statement as a RegistryPolicyStatement instead of a RegistryPolicy",
            );
        }
        return put(client, inputs.policy);
    });
    const outs: RegistryPolicyOutputs = { ...inputs, registryId };
    return { id: registryId || inputs.region, outs };
}

export async function read(id: string, props: Partial<RegistryPolicyOutputs>): Promise<dynamic.ReadResult> {
    const region = await resolveRegion(props.region);
    let found: { policy: string; registryId: string };
    try {
        found = await wrap("reading", KIND, id, () => findRegistryPolicy(ecrClient(region)));
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const policy = props.policy && iamPoliciesEquivalent(props.policy, found.policy) ? props.policy : canonicalOrRaw(found.policy);
    const outs: RegistryPolicyOutputs = { policy, region, registryId: found.registryId };
    return { id: found.registryId || id, props: outs };
}

export async function update(_id: string, olds: RegistryPolicyOutputs, news: RegistryPolicyInputs): Promise<dynamic.UpdateResult> {
    const client = ecrClient(news.region);
    const registryId = await wrap("updating", KIND, news.region, async () => {
        const foreign = foreignStatements(await currentDocument(client), olds.policy, news.policy);
        if (foreign.length > 0) {
            refuseForeign(
                "updating",
                news.region,
                foreign,
                "they were added since this stack last wrote the policy (by another stack's RegistryPolicyStatement, or outside Pulumi); add them to `policy`, or run `pulumi refresh` to take them in as drift so that this update removes them",
            );
        }
        return put(client, news.policy);
    });
    return { outs: { ...news, registryId: registryId || olds.registryId } };
}

/** Deletes the policy, except statements this resource did not write: those are written back. */
export async function remove(id: string, props: RegistryPolicyOutputs): Promise<void> {
    const client = ecrClient(props.region);
    try {
        const current = await currentDocument(client);
        if (current === undefined) return;
        const mine = new Set(statementsOf(parsePolicyOrEmpty(props.policy)).map(statementKey));
        const others = statementsOf(current).filter((st) => !mine.has(statementKey(st)));
        if (others.length > 0) {
            await put(client, canonicalJson({ ...current, Statement: others }));
            return;
        }
        await client.send(new DeleteRegistryPolicyCommand({}));
    } catch (e) {
        if (isA(e, ...REGISTRY_POLICY_GONE)) return;
        throw new EcrError("deleting", KIND, id, e);
    }
}

function parsePolicyOrEmpty(text: string | undefined): JsonObject | undefined {
    const parsed = parsePolicy(text ?? "");
    return "error" in parsed ? undefined : parsed.doc;
}

// This module's exports are the dynamic provider for `RegistryPolicy` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

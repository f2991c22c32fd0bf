/**
 * ECR Repository Policy: a resource-based IAM policy on one repository. Follows
 * `aws.ecr.RepositoryPolicy`. SetRepositoryPolicy retries, for a bounded time, only on IAM's
 * propagation error, and on create only while the repository itself is not yet visible. This file
 * also holds the IAM document rules: what ECR rejects, and which spellings mean the same
 * (`Principal: "*"` versus `{"AWS": "*"}`, an account id versus its root ARN, statement order,
 * action case).
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { awsSdk } from "./client";
import { goneOr, isA, notFound } from "./errors";
import { Json, JsonObject, asList, canonicalJson, parsePolicy, sortedStrings } from "./policyDocument";
import { policyProvider } from "./repositoryAttachedPolicy";
import { createVisibilityTimeoutMs, iamPropagationTimeoutMs, isIamPropagationError, retryWhile } from "./retry";

const KIND = "Repository Policy";
/** The exceptions that mean the policy is gone (or its repository is): the finder's NotFoundError, delete's "done". */
export const REPOSITORY_POLICY_GONE = ["RepositoryPolicyNotFoundException", "RepositoryNotFoundException"] as const;

// ---------- the IAM document ----------

const ACCOUNT_ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

function normalizePrincipal(p: Json | undefined): Json | undefined {
    if (p === undefined) return undefined;
    if (p === "*") return { AWS: ["*"] };
    if (typeof p !== "object" || p === null || Array.isArray(p)) return p;
    const out: JsonObject = {};
    for (const [type, ids] of Object.entries(p)) {
        // IAM stores an account given as a bare id as its root ARN; both mean the same principal.
        out[type] = type === "AWS" ? sortedStrings(ids, (s) => s.replace(ACCOUNT_ROOT_ARN, "$1")) : sortedStrings(ids);
    }
    return out;
}

function normalizeCondition(c: Json | undefined): Json | undefined {
    if (c === undefined || c === null || typeof c !== "object" || Array.isArray(c)) return c;
    const out: JsonObject = {};
    for (const [op, block] of Object.entries(c)) {
        if (!block || typeof block !== "object" || Array.isArray(block)) {
            out[op] = block;
            continue;
        }
        const b: JsonObject = {};
        // Condition keys are case-insensitive in IAM; values are compared as strings.
        for (const [key, vals] of Object.entries(block)) b[key.toLowerCase()] = sortedStrings(vals);
        out[op] = b;
    }
    return out;
}

function normalizeStatement(s: Json): Json {
    if (!s || typeof s !== "object" || Array.isArray(s)) return s;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(s)) {
        switch (k) {
            case "Action":
            case "NotAction":
                out[k] = sortedStrings(v, (a) => a.toLowerCase());
                break;
            case "Resource":
            case "NotResource":
                out[k] = sortedStrings(v);
                break;
            case "Principal":
            case "NotPrincipal":
                out[k] = normalizePrincipal(v) as Json;
                break;
            case "Condition":
                out[k] = normalizeCondition(v) as Json;
                break;
            case "Sid":
                if (v !== "") out[k] = v;
                break;
            default:
                out[k] = v;
        }
    }
    return out;
}

/** The form two IAM policies are compared in. */
export function normalizeIamPolicy(doc: JsonObject): Json {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(doc)) {
        if (k === "Statement") {
            out[k] = asList(v)
                .map(normalizeStatement)
                .map((st) => canonicalJson(st))
                .sort()
                .map((t) => JSON.parse(t) as Json);
        } else {
            out[k] = v;
        }
    }
    return out;
}

/** True when two IAM policy documents (text or objects) mean the same. Unparseable text never matches. */
export function iamPoliciesEquivalent(a: unknown, b: unknown): boolean {
    const pa = parsePolicy(a);
    const pb = parsePolicy(b);
    if ("error" in pa || "error" in pb) return a === b;
    return canonicalJson(normalizeIamPolicy(pa.doc)) === canonicalJson(normalizeIamPolicy(pb.doc));
}

/** Problems with an IAM policy document that ECR would reject, each with the fix. */
export function validateIamPolicy(doc: JsonObject): string[] {
    const errors: string[] = [];
    const statements = doc.Statement;
    if (statements === undefined) {
        errors.push("has no `Statement`; add at least one statement");
        return errors;
    }
    asList(statements).forEach((st, i) => {
        if (!st || typeof st !== "object" || Array.isArray(st)) {
            errors.push(`Statement[${i}] must be an object`);
            return;
        }
        if (st.Effect !== "Allow" && st.Effect !== "Deny") errors.push(`Statement[${i}].Effect must be "Allow" or "Deny"`);
        if (st.Action === undefined && st.NotAction === undefined) errors.push(`Statement[${i}] needs \`Action\` or \`NotAction\``);
        if (st.Principal === undefined && st.NotPrincipal === undefined) {
            errors.push(`Statement[${i}] needs \`Principal\`: a repository policy is resource-based and must name who it applies to`);
        }
    });
    return errors;
}

// ---------- finder and provider ----------

/** The repository's policy text, or NotFoundError when the repository or the policy is gone. */
export async function findRepositoryPolicyByRepositoryName(
    client: ECRClient,
    repository: string,
    registryId?: string,
): Promise<{ policy: string; registryId: string }> {
    const { GetRepositoryPolicyCommand } = awsSdk();
    let out;
    try {
        out = await client.send(new GetRepositoryPolicyCommand({ repositoryName: repository, registryId }));
    } catch (e) {
        throw goneOr(e, REPOSITORY_POLICY_GONE, KIND, repository);
    }
    if (!out.policyText) throw notFound(KIND, repository);
    return { policy: out.policyText, registryId: out.registryId ?? "" };
}

const provider = policyProvider({
    kind: KIND,
    validate: validateIamPolicy,
    equivalent: iamPoliciesEquivalent,
    find: findRepositoryPolicyByRepositoryName,
    async put(client, inputs, { creating, registryId }) {
        const { SetRepositoryPolicyCommand } = awsSdk();
        const retryable = (e: unknown) => isIamPropagationError(e) || (creating && isA(e, "RepositoryNotFoundException"));
        const out = await retryWhile(
            () => client.send(new SetRepositoryPolicyCommand({ repositoryName: inputs.repository, registryId, policyText: inputs.policy })),
            retryable,
            { timeoutMs: creating ? Math.max(iamPropagationTimeoutMs(), createVisibilityTimeoutMs()) : iamPropagationTimeoutMs() },
        );
        return { registryId: out.registryId ?? "" };
    },
    async remove(client, repository, registryId) {
        const { DeleteRepositoryPolicyCommand } = awsSdk();
        try {
            await client.send(new DeleteRepositoryPolicyCommand({ repositoryName: repository, registryId }));
        } catch (e) {
            if (!isA(e, ...REPOSITORY_POLICY_GONE)) throw e;
        }
    },
});

// This module's exports are the dynamic provider (see provider/index.ts).
export const { check, diff, create, read, update } = provider;
const remove = provider.delete;
export { remove as delete };
export { configure } from "./client";

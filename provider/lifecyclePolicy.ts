/**
 * ECR Lifecycle Policy: rules that expire images. Follows `aws.ecr.LifecyclePolicy`. This file
 * holds the lifecycle document rules too: the vocabulary, what ECR rejects (checked before any AWS
 * call), and the comparison in priority order, never as text.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { awsSdk } from "./client";
import { goneOr, isA, notFound } from "./errors";
import { Json, JsonObject, asList, canonicalJson, parsePolicy, sortedStrings } from "./policyDocument";
import { policyProvider } from "./repositoryAttachedPolicy";
import { createVisibilityTimeoutMs, retryWhile } from "./retry";

const KIND = "Lifecycle Policy";
/** The exceptions that mean the policy is gone (or its repository is): the finder's NotFoundError, delete's "done". */
export const LIFECYCLE_POLICY_GONE = ["LifecyclePolicyNotFoundException", "RepositoryNotFoundException"] as const;

// ---------- the lifecycle document ----------

/**
 * The lifecycle vocabulary `check()` accepts, each list the one source of its union (sdk/documents.ts
 * types `LifecyclePolicyDocument` with them, and the tests hold the local endpoint to them).
 */
export const LIFECYCLE_TAG_STATUSES = ["tagged", "untagged", "any"] as const;
/** How a rule counts the images it selects. */
export const LIFECYCLE_COUNT_TYPES = ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"] as const;
/** What a rule does with the images it selects. */
export const LIFECYCLE_ACTION_TYPES = ["expire", "transition"] as const;
/** Which storage class a rule selects images from (`archive` only with `sinceImageTransitioned`). */
export const LIFECYCLE_STORAGE_CLASSES = ["standard", "archive"] as const;
/** Where a `transition` action moves images. */
export const LIFECYCLE_TARGET_STORAGE_CLASSES = ["archive"] as const;
/** At most this many `*` wildcards in one `tagPatternList` entry, as ECR allows. */
export const LIFECYCLE_MAX_PATTERN_WILDCARDS = 4;
/** One of {@link LIFECYCLE_TAG_STATUSES}. */
export type LifecycleTagStatus = (typeof LIFECYCLE_TAG_STATUSES)[number];
/** One of {@link LIFECYCLE_COUNT_TYPES}. */
export type LifecycleCountType = (typeof LIFECYCLE_COUNT_TYPES)[number];
/** One of {@link LIFECYCLE_ACTION_TYPES}. */
export type LifecycleActionType = (typeof LIFECYCLE_ACTION_TYPES)[number];
/** One of {@link LIFECYCLE_STORAGE_CLASSES}. */
export type LifecycleStorageClass = (typeof LIFECYCLE_STORAGE_CLASSES)[number];
/** One of {@link LIFECYCLE_TARGET_STORAGE_CLASSES}. */
export type LifecycleTargetStorageClass = (typeof LIFECYCLE_TARGET_STORAGE_CLASSES)[number];
const TAG_STATUSES: readonly string[] = LIFECYCLE_TAG_STATUSES;
const COUNT_TYPES: readonly string[] = LIFECYCLE_COUNT_TYPES;
const ACTION_TYPES: readonly string[] = LIFECYCLE_ACTION_TYPES;
const STORAGE_CLASSES: readonly string[] = LIFECYCLE_STORAGE_CLASSES;
const TARGET_STORAGE_CLASSES: readonly string[] = LIFECYCLE_TARGET_STORAGE_CLASSES;

/** Problems with a lifecycle policy that ECR would reject, each naming the rule and the fix. */
export function validateLifecyclePolicy(doc: JsonObject): string[] {
    const errors: string[] = [];
    const rules = doc.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
        return ["must have a non-empty `rules` list"];
    }
    const priorities = new Map<number, number>();
    const anyRules: number[] = [];
    rules.forEach((r, i) => {
        const at = `rules[${i}]`;
        if (!r || typeof r !== "object" || Array.isArray(r)) {
            errors.push(`${at} must be an object`);
            return;
        }
        const p = r.rulePriority;
        if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 999) {
            errors.push(`${at}.rulePriority must be a whole number from 1 to 999, got ${JSON.stringify(p)}`);
        } else if (priorities.has(p)) {
            errors.push(`${at}.rulePriority ${p} is also used by rules[${priorities.get(p)}]; each rule needs its own priority`);
        } else {
            priorities.set(p, i);
        }
        const sel = r.selection;
        if (!sel || typeof sel !== "object" || Array.isArray(sel)) {
            errors.push(`${at}.selection is required`);
            return;
        }
        const status = sel.tagStatus;
        if (typeof status !== "string" || !TAG_STATUSES.includes(status)) {
            errors.push(`${at}.selection.tagStatus must be one of ${TAG_STATUSES.join(", ")}`);
        }
        const hasPrefixes = Array.isArray(sel.tagPrefixList) && sel.tagPrefixList.length > 0;
        const hasPatterns = Array.isArray(sel.tagPatternList) && sel.tagPatternList.length > 0;
        if (status === "tagged" && !hasPrefixes && !hasPatterns) {
            errors.push(`${at}.selection: tagStatus "tagged" needs a non-empty tagPrefixList or tagPatternList`);
        }
        if (status !== "tagged" && (sel.tagPrefixList !== undefined || sel.tagPatternList !== undefined)) {
            errors.push(`${at}.selection: tagPrefixList and tagPatternList apply only when tagStatus is "tagged"`);
        }
        if (hasPatterns) {
            (sel.tagPatternList as Json[]).forEach((pattern, j) => {
                const stars = typeof pattern === "string" ? pattern.split("*").length - 1 : 0;
                if (stars > LIFECYCLE_MAX_PATTERN_WILDCARDS) {
                    errors.push(
                        `${at}.selection.tagPatternList[${j}] has ${stars} wildcards; ECR allows at most ${LIFECYCLE_MAX_PATTERN_WILDCARDS} "*" in a pattern`,
                    );
                }
            });
        }
        if (status === "any") anyRules.push(i);
        const countType = sel.countType;
        const storageClass = sel.storageClass;
        if (storageClass !== undefined && (typeof storageClass !== "string" || !STORAGE_CLASSES.includes(storageClass))) {
            errors.push(`${at}.selection.storageClass must be one of ${STORAGE_CLASSES.join(", ")}, got ${JSON.stringify(storageClass)}`);
        } else if (countType === "sinceImageTransitioned" && storageClass !== "archive") {
            errors.push(
                `${at}.selection.storageClass must be "archive" when countType is sinceImageTransitioned (it counts days since images were archived)`,
            );
        } else if (storageClass === "archive" && countType !== "sinceImageTransitioned") {
            errors.push(
                `${at}.selection.storageClass "archive" goes only with countType sinceImageTransitioned; drop it or change countType`,
            );
        }
        if (typeof countType !== "string" || !COUNT_TYPES.includes(countType)) {
            errors.push(`${at}.selection.countType must be one of ${COUNT_TYPES.join(", ")}`);
        } else if (countType === "imageCountMoreThan") {
            if (sel.countUnit !== undefined) errors.push(`${at}.selection.countUnit must be left out when countType is imageCountMoreThan`);
        } else if (sel.countUnit !== "days") {
            errors.push(`${at}.selection.countUnit must be "days" when countType is ${countType}`);
        }
        const n = sel.countNumber;
        if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
            errors.push(`${at}.selection.countNumber must be a whole number of at least 1, got ${JSON.stringify(n)}`);
        }
        const action = r.action;
        const type = action && typeof action === "object" && !Array.isArray(action) ? action.type : undefined;
        if (typeof type !== "string" || !ACTION_TYPES.includes(type)) {
            errors.push(`${at}.action.type must be one of ${ACTION_TYPES.join(", ")}`);
        }
        const target = action && typeof action === "object" && !Array.isArray(action) ? action.targetStorageClass : undefined;
        if (type === "transition" && (typeof target !== "string" || !TARGET_STORAGE_CLASSES.includes(target))) {
            errors.push(
                `${at}.action.targetStorageClass must be one of ${TARGET_STORAGE_CLASSES.join(", ")} when action.type is transition, got ${JSON.stringify(target)}`,
            );
        } else if (type === "expire" && target !== undefined) {
            errors.push(`${at}.action.targetStorageClass applies only to transition actions; drop it from this expire action`);
        }
    });
    if (anyRules.length > 1) {
        errors.push(`only one rule may have tagStatus "any"; rules ${anyRules.map((i) => `[${i}]`).join(", ")} do`);
    } else if (anyRules.length === 1) {
        const anyPriority = (rules[anyRules[0]] as JsonObject).rulePriority as number;
        const higher = [...priorities.keys()].filter((p) => p > anyPriority);
        if (higher.length > 0) {
            errors.push(
                `rules[${anyRules[0]}] has tagStatus "any" and must have the highest rulePriority (it is evaluated last); raise it above ${Math.max(...higher)}`,
            );
        }
    }
    return errors;
}

/** The form two lifecycle policies are compared in: rules sorted by priority, lists sorted, defaults filled. */
export function normalizeLifecyclePolicy(doc: JsonObject): Json {
    const rules = asList(doc.rules).map((r) => {
        if (!r || typeof r !== "object" || Array.isArray(r)) return r;
        const out: JsonObject = { ...r };
        if (out.description === "") delete out.description;
        const sel = out.selection;
        if (sel && typeof sel === "object" && !Array.isArray(sel)) {
            const s: JsonObject = { ...sel };
            for (const k of ["tagPrefixList", "tagPatternList"]) if (s[k] !== undefined) s[k] = sortedStrings(s[k]);
            out.selection = s;
        }
        out.action = { type: "expire", ...((out.action as JsonObject) ?? {}) };
        return out;
    });
    rules.sort((a, b) => priorityOf(a) - priorityOf(b));
    return { ...doc, rules };
}

const priorityOf = (r: Json): number =>
    r && typeof r === "object" && !Array.isArray(r) && typeof r.rulePriority === "number" ? r.rulePriority : 0;

/** True when two lifecycle policies (text or objects) mean the same. */
export function lifecyclePoliciesEquivalent(a: unknown, b: unknown): boolean {
    const pa = parsePolicy(a);
    const pb = parsePolicy(b);
    if ("error" in pa || "error" in pb) return a === b;
    return canonicalJson(normalizeLifecyclePolicy(pa.doc)) === canonicalJson(normalizeLifecyclePolicy(pb.doc));
}

// ---------- finder and provider ----------

/** The repository's lifecycle policy text, or NotFoundError when the repository or the policy is gone. */
export async function findLifecyclePolicyByRepositoryName(
    client: ECRClient,
    repository: string,
    registryId?: string,
): Promise<{ policy: string; registryId: string }> {
    const { GetLifecyclePolicyCommand } = awsSdk();
    let out;
    try {
        out = await client.send(new GetLifecyclePolicyCommand({ repositoryName: repository, registryId }));
    } catch (e) {
        throw goneOr(e, LIFECYCLE_POLICY_GONE, KIND, repository);
    }
    if (!out.lifecyclePolicyText) throw notFound(KIND, repository);
    return { policy: out.lifecyclePolicyText, registryId: out.registryId ?? "" };
}

const provider = policyProvider({
    kind: KIND,
    validate: validateLifecyclePolicy,
    equivalent: lifecyclePoliciesEquivalent,
    find: findLifecyclePolicyByRepositoryName,
    async put(client, inputs, { creating, registryId }) {
        const { PutLifecyclePolicyCommand } = awsSdk();
        const out = await retryWhile(
            () =>
                client.send(
                    new PutLifecyclePolicyCommand({ repositoryName: inputs.repository, registryId, lifecyclePolicyText: inputs.policy }),
                ),
            (e) => creating && isA(e, "RepositoryNotFoundException"),
            { timeoutMs: createVisibilityTimeoutMs() },
        );
        return { registryId: out.registryId ?? "" };
    },
    async remove(client, repository, registryId) {
        const { DeleteLifecyclePolicyCommand } = awsSdk();
        try {
            await client.send(new DeleteLifecyclePolicyCommand({ repositoryName: repository, registryId }));
        } catch (e) {
            if (!isA(e, ...LIFECYCLE_POLICY_GONE)) throw e;
        }
    },
});

// This module's exports are the dynamic provider (see provider/index.ts).
export const { check, diff, create, read, update } = provider;
const remove = provider.delete;
export { remove as delete };
export { configure } from "./client";

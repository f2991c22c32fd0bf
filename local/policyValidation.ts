/**
 * The document rules of the two policies a repository holds, as moto's `policy_validation.py`:
 * what ECR checks in a repository policy (IAM) and in a lifecycle policy before storing it.
 */
import { invalidParameter } from "./exceptions";
import type { Json } from "./validate";

/** A repository policy (an IAM resource policy): statements with an Effect and an Action. */
export function checkRepositoryPolicy(text: string): void {
    checkIamPolicyDocument(text, "PolicyText", "repository policy");
}

/**
 * The IAM document rules every ECR policy shares (repository, registry, template): a JSON object
 * whose statements each have an Effect and an Action; `field` and `what` name it in the error.
 */
export function checkIamPolicyDocument(text: string, field: string, what: string): void {
    const fail = (): never => {
        throw invalidParameter(field, `Invalid ${what} provided`);
    };
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch {
        return fail();
    }
    const statements = (doc as Json | null)?.Statement;
    const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
    const ok =
        typeof doc === "object" &&
        doc !== null &&
        list.length > 0 &&
        list.every((s) => {
            const st = s as Json;
            return (st.Effect === "Allow" || st.Effect === "Deny") && (st.Action !== undefined || st.NotAction !== undefined);
        });
    if (!ok) fail();
}

/** The lifecycle vocabulary of the ECR reference ("Lifecycle policy properties"). */
export const LIFECYCLE_TAG_STATUSES = ["tagged", "untagged", "any"] as const;
/** `selection.countType`: by count, or by days since push, last pull or transition to archive. */
export const LIFECYCLE_COUNT_TYPES = ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"] as const;
/** `selection.storageClass`: which images a rule looks at. */
export const LIFECYCLE_STORAGE_CLASSES = ["standard", "archive"] as const;
/** `action.type`: delete the image, or move it to archive storage. */
export const LIFECYCLE_ACTION_TYPES = ["expire", "transition"] as const;
/** `action.targetStorageClass` of a transition: archive is the only one. */
export const LIFECYCLE_TARGET_STORAGE_CLASSES = ["archive"] as const;
/** ECR allows at most this many `*` in one tagPatternList entry. */
const MAX_PATTERN_WILDCARDS = 4;

const oneOf = (values: readonly string[]): string => values.map((x) => `'${x}'`).join(", ");
const isObject = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);
const isNonEmptyStringList = (x: unknown): x is string[] =>
    Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === "string" && s !== "");

/**
 * A lifecycle policy, by the rules of the ECR reference. The first problem found is refused with
 * `InvalidParameterException`, naming the rule and what is allowed.
 */
export function checkLifecyclePolicy(text: string): void {
    const fail = (why: string): never => {
        throw invalidParameter("LifecyclePolicyText", `Lifecycle policy validation failure: ${why}`);
    };
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch {
        return fail("Could not map policyString into LifecyclePolicy.");
    }
    if (!isObject(doc)) return fail("Could not map policyString into LifecyclePolicy.");
    if (!Array.isArray(doc.rules) || doc.rules.length === 0) return fail('object has missing required properties (["rules"])');
    const priorities = new Set<number>();
    let anyRule: number | undefined;
    for (const r of doc.rules as unknown[]) {
        if (!isObject(r)) return fail("each rule must be an object");
        for (const k of ["rulePriority", "selection", "action"]) {
            if (r[k] === undefined) return fail(`object has missing required properties (["${k}"])`);
        }
        const p = r.rulePriority;
        if (typeof p !== "number" || !Number.isInteger(p) || p < 1) return fail("rulePriority must be a positive integer");
        if (priorities.has(p)) return fail(`rulePriority ${p} is used by more than one rule; each rule needs its own`);
        priorities.add(p);
        const at = `rule ${p}`;
        if (!isObject(r.selection)) return fail(`${at}: selection must be an object`);
        if (!isObject(r.action)) return fail(`${at}: action must be an object`);
        checkSelection(r.selection, at, fail);
        checkAction(r.action, r.selection, at, fail);
        if (r.selection.tagStatus === "any") {
            if (anyRule !== undefined) return fail(`only one rule may have tagStatus 'any'; rules ${anyRule} and ${p} do`);
            anyRule = p;
        }
    }
    if (anyRule !== undefined && Math.max(...priorities) !== anyRule) {
        fail(`rule ${anyRule} has tagStatus 'any' and must have the highest rulePriority (it is evaluated last)`);
    }
}

function checkSelection(sel: Json, at: string, fail: (why: string) => never): void {
    const status = sel.tagStatus;
    if (!(LIFECYCLE_TAG_STATUSES as readonly unknown[]).includes(status)) {
        fail(`${at}: tagStatus must be one of ${oneOf(LIFECYCLE_TAG_STATUSES)}, got ${JSON.stringify(status)}`);
    }
    for (const k of ["tagPrefixList", "tagPatternList"]) {
        if (sel[k] === undefined) continue;
        if (status !== "tagged") fail(`${at}: ${k} is allowed only when tagStatus is 'tagged'`);
        if (!isNonEmptyStringList(sel[k])) fail(`${at}: ${k} must be a non-empty list of non-empty strings`);
    }
    if (status === "tagged" && sel.tagPrefixList === undefined && sel.tagPatternList === undefined) {
        fail(`${at}: tagStatus 'tagged' needs tagPrefixList or tagPatternList`);
    }
    for (const pattern of (sel.tagPatternList as string[] | undefined) ?? []) {
        if (pattern.split("*").length - 1 > MAX_PATTERN_WILDCARDS) {
            fail(`${at}: tagPatternList entry '${pattern}' has more than ${MAX_PATTERN_WILDCARDS} wildcards (*)`);
        }
    }
    const countType = sel.countType;
    if (!(LIFECYCLE_COUNT_TYPES as readonly unknown[]).includes(countType)) {
        fail(`${at}: countType must be one of ${oneOf(LIFECYCLE_COUNT_TYPES)}, got ${JSON.stringify(countType)}`);
    }
    if (countType === "imageCountMoreThan") {
        if (sel.countUnit !== undefined) fail(`${at}: countUnit must be left out when countType is 'imageCountMoreThan'`);
    } else if (sel.countUnit !== "days") {
        fail(`${at}: countUnit must be 'days' when countType is '${String(countType)}'`);
    }
    const n = sel.countNumber;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) fail(`${at}: countNumber must be an integer of at least 1`);
    const storageClass = sel.storageClass;
    if (storageClass !== undefined && !(LIFECYCLE_STORAGE_CLASSES as readonly unknown[]).includes(storageClass)) {
        fail(`${at}: storageClass must be one of ${oneOf(LIFECYCLE_STORAGE_CLASSES)}, got ${JSON.stringify(storageClass)}`);
    }
    // Only archived images have a transition time; the other count types look at standard images.
    if (countType === "sinceImageTransitioned" && storageClass !== "archive") {
        fail(`${at}: countType 'sinceImageTransitioned' needs storageClass 'archive'`);
    }
    if (countType !== "sinceImageTransitioned" && storageClass === "archive") {
        fail(
            `${at}: storageClass 'archive' is allowed only with countType 'sinceImageTransitioned'; '${String(countType)}' takes 'standard'`,
        );
    }
}

function checkAction(action: Json, sel: Json, at: string, fail: (why: string) => never): void {
    const type = action.type;
    if (!(LIFECYCLE_ACTION_TYPES as readonly unknown[]).includes(type)) {
        fail(`${at}: action.type must be one of ${oneOf(LIFECYCLE_ACTION_TYPES)}, got ${JSON.stringify(type)}`);
    }
    const target = action.targetStorageClass;
    if (type === "expire" && target !== undefined)
        fail(`${at}: action.targetStorageClass is allowed only when action.type is 'transition'`);
    if (type === "transition") {
        if (!(LIFECYCLE_TARGET_STORAGE_CLASSES as readonly unknown[]).includes(target)) {
            fail(`${at}: action 'transition' needs targetStorageClass ${oneOf(LIFECYCLE_TARGET_STORAGE_CLASSES)}`);
        }
        if (sel.storageClass === "archive")
            fail(`${at}: action 'transition' moves standard images; it cannot select storageClass 'archive'`);
    }
}

/**
 * Policies compared by meaning, never as text. Two documents that AWS would evaluate the same way
 * normalise to the same value: key order, whitespace, a one-element list versus a scalar,
 * `Principal: "*"` versus `{"AWS": "*"}`, an account id versus its root ARN, statement order,
 * action case, lifecycle rules in any order of priority.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The placeholder the engine passes for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True if `v` holds a value that is not known yet (preview of a dependent output). */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
    return false;
}

/** JSON text with object keys sorted at every level: the canonical form kept in state. */
export function canonicalJson(v: unknown): string {
    return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) {
            const val = (v as Record<string, unknown>)[k];
            if (val !== undefined) out[k] = sortKeys(val);
        }
        return out;
    }
    return v;
}

/**
 * Parses a policy given as JSON text or as an object. Returns the document, or an error that
 * says what is wrong and how to fix it.
 */
export function parsePolicy(value: unknown): { doc: JsonObject } | { error: string } {
    let doc: unknown = value;
    if (typeof value === "string") {
        if (value.trim() === "") return { error: "is empty; give a policy document as a JSON string or an object" };
        try {
            doc = JSON.parse(value);
        } catch (e) {
            return { error: `is not valid JSON (${(e as Error).message}); give a JSON string or an object` };
        }
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
        return { error: "must be a JSON object (a policy document), as a string or an object" };
    }
    return { doc: JSON.parse(JSON.stringify(doc)) as JsonObject };
}

// ---------- IAM (repository) policies ----------

const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const sortedStrings = (v: Json | undefined, map: (s: string) => string = (s) => s): string[] =>
    [...new Set(asList(v).map((x) => map(typeof x === "string" ? x : JSON.stringify(x))))].sort();

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

// ---------- lifecycle policies ----------

const TAG_STATUSES = ["tagged", "untagged", "any"];
const COUNT_TYPES = ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"];
const ACTION_TYPES = ["expire", "transition"];

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
        if (status === "any") anyRules.push(i);
        const countType = sel.countType;
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
        errors.push(...storageClassProblems(at, sel, action as JsonObject | undefined));
    });
    if (anyRules.length > 1) {
        errors.push(`only one rule may have tagStatus "any"; rules ${anyRules.map((i) => `[${i}]`).join(", ")} do`);
    } else if (anyRules.length === 1) {
        const anyPriority = (rules[anyRules[0]] as JsonObject).rulePriority as number;
        const higher = [...priorities.keys()].filter((p) => p > anyPriority);
        if (higher.length > 0) {
            errors.push(`rules[${anyRules[0]}] has tagStatus "any" and must have the highest rulePriority (it is evaluated last); raise it above ${Math.max(...higher)}`);
        }
    }
    return errors;
}

/** ECR allows at most this many `*` wildcards in one tag pattern. */
const MAX_TAG_PATTERN_WILDCARDS = 4;

/**
 * The archive storage class rules: a `transition` moves images to `archive` (the only target);
 * `sinceImageTransitioned` selects archived images (storageClass `archive`, required), the other
 * count types select `standard` ones; an archived image cannot be transitioned again. Also the
 * wildcard limit of tag patterns.
 */
function storageClassProblems(at: string, sel: JsonObject, action: JsonObject | undefined): string[] {
    const errors: string[] = [];
    const type = action && typeof action === "object" ? action.type : undefined;
    const target = action && typeof action === "object" ? action.targetStorageClass : undefined;
    if (type === "transition" && target !== "archive") {
        errors.push(`${at}.action.targetStorageClass must be "archive" for a transition (the only storage class images move to), got ${JSON.stringify(target)}`);
    }
    if (type === "expire" && target !== undefined) errors.push(`${at}.action.targetStorageClass applies only to a transition; drop it from the expire action`);
    const transitioned = sel.countType === "sinceImageTransitioned";
    if (transitioned && sel.storageClass !== "archive") {
        errors.push(`${at}.selection.storageClass must be "archive" with countType sinceImageTransitioned (it selects archived images), got ${JSON.stringify(sel.storageClass)}`);
    }
    if (!transitioned && sel.storageClass !== undefined && sel.storageClass !== "standard") {
        errors.push(`${at}.selection.storageClass must be "standard" (or left out) with countType ${String(sel.countType)}; only sinceImageTransitioned selects "archive"`);
    }
    if (transitioned && type === "transition") errors.push(`${at}.action.type: archived images cannot be transitioned again; use "expire" with sinceImageTransitioned`);
    if (Array.isArray(sel.tagPatternList)) {
        for (const p of sel.tagPatternList) {
            if (typeof p === "string" && (p.match(/\*/g) ?? []).length > MAX_TAG_PATTERN_WILDCARDS) {
                errors.push(`${at}.selection.tagPatternList: "${p}" has more than four * wildcards; ECR allows at most ${MAX_TAG_PATTERN_WILDCARDS} per pattern`);
            }
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

/**
 * Policy documents in general: parsing (JSON text or an object), the canonical JSON kept in state,
 * and the list helpers both normalisations use. What a document of each kind must contain, and
 * which spellings mean the same, lives with its resource: IAM rules in repositoryPolicy.ts,
 * lifecycle rules in lifecyclePolicy.ts. Documents are compared by meaning, never as text.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

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

/** `v` as a list: a scalar is a one-element list, undefined is empty (IAM and lifecycle documents allow both). */
export const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The distinct strings of `v` (a scalar or a list), each mapped by `map`, sorted: order and repeats carry no meaning. */
export const sortedStrings = (v: Json | undefined, map: (s: string) => string = (s) => s): string[] =>
    [...new Set(asList(v).map((x) => map(typeof x === "string" ? x : JSON.stringify(x))))].sort();

/** A policy ECR returned, in the canonical form kept in state; text that does not parse is kept as it is, and none is "". */
export function canonicalOrRaw(text: string | undefined): string {
    if (!text) return "";
    const parsed = parsePolicy(text);
    return "error" in parsed ? text : canonicalJson(parsed.doc);
}

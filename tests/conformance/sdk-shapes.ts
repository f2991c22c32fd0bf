/**
 * Checks raw JSON 1.1 bodies against the AWS SDK's own schemas for ECR (the `XxxResponse$`
 * schema objects that @aws-sdk/client-ecr exports): every member must be one the SDK knows,
 * of the right kind, recursively. The SDK's deserializer silently drops what it does not know,
 * so this is the check that the wire format itself matches.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as ecr from "@aws-sdk/client-ecr";

type Schema = unknown;

function resolve(s: Schema): Schema {
    return typeof s === "function" ? (s as () => Schema)() : s;
}

function checkPrimitive(value: unknown, code: number, path: string): void {
    if (code & 64) {
        assert.ok(Array.isArray(value), `${path}: expected a list`);
        (value as unknown[]).forEach((v, i) => checkPrimitive(v, code & ~64, `${path}[${i}]`));
        return;
    }
    if (code & 128) {
        assert.ok(value && typeof value === "object" && !Array.isArray(value), `${path}: expected a map`);
        for (const [k, v] of Object.entries(value as object)) checkPrimitive(v, code & ~128, `${path}.${k}`);
        return;
    }
    const kinds: Record<number, string> = { 0: "string", 1: "number", 2: "boolean", 4: "number", 21: "string" };
    const want = kinds[code];
    if (want) assert.equal(typeof value, want, `${path}: expected a ${want} (schema code ${code}), got ${JSON.stringify(value)}`);
}

/** Asserts that `value` fits `schema`. */
export function checkShape(value: unknown, schema: Schema, path = "$"): void {
    const s = resolve(schema);
    if (typeof s === "number") return checkPrimitive(value, s, path);
    if (!Array.isArray(s)) return;
    const kind = s[0] as number;
    if (kind === 3 || kind === -3) {
        assert.ok(value && typeof value === "object" && !Array.isArray(value), `${path}: expected a structure ${s[2]}`);
        const names = s[4] as string[];
        const types = s[5] as Schema[];
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (kind === -3 && (k === "__type" || k === "message")) continue;
            const i = names.indexOf(k);
            assert.ok(i >= 0, `${path}.${k}: not a member of ${s[2]} (members: ${names.join(", ")})`);
            checkShape(v, types[i], `${path}.${k}`);
        }
    } else if (kind === 1) {
        assert.ok(Array.isArray(value), `${path}: expected a list ${s[2]}`);
        (value as unknown[]).forEach((v, i) => checkShape(v, s[4], `${path}[${i}]`));
    } else if (kind === 2) {
        assert.ok(value && typeof value === "object", `${path}: expected a map ${s[2]}`);
        for (const [k, v] of Object.entries(value as object)) checkShape(v, s[5], `${path}.${k}`);
    }
}

/** The SDK's response schema of an operation, e.g. `responseSchema("PutImage")`. */
export function responseSchema(operation: string): Schema {
    const s = (ecr as unknown as Record<string, Schema>)[`${operation}Response$`];
    assert.ok(s, `no SDK schema ${operation}Response$`);
    return s;
}

/** The SDK's schema of an error shape, e.g. `errorSchema("InvalidLayerPartException")`. */
export function errorSchema(name: string): Schema {
    const s = (ecr as unknown as Record<string, Schema>)[`${name}$`];
    assert.ok(s, `no SDK schema ${name}$`);
    return s;
}

export interface RawResponse {
    status: number;
    headers: Headers;
    body: Record<string, unknown>;
}

/** A SigV4 header of the right form (the local endpoint checks form, not the HMAC). */
export function fakeSigV4(region = "us-east-1", now = new Date()): Record<string, string> {
    const amzDate = now
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    return {
        "X-Amz-Date": amzDate,
        Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${day}/${region}/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${crypto.randomBytes(32).toString("hex")}`,
    };
}

/** One JSON 1.1 call without the SDK, to see exactly what goes over the wire. */
export async function rawCall(
    url: string,
    operation: string,
    body: unknown,
    headers: Record<string, string> = fakeSigV4(),
): Promise<RawResponse> {
    const res = await fetch(url, {
        method: "POST",
        headers: {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": `AmazonEC2ContainerRegistry_V20150921.${operation}`,
            ...headers,
        },
        body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

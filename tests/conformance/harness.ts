/**
 * Runs the same scenario against the local endpoint and against moto (the independent peer),
 * and compares what each returns after normalising what legitimately differs (timestamps,
 * the random suffix of repository names, repository URIs, proxy endpoints, generated key ids, and digest *values*, which become
 * placeholders numbered by first appearance so that the structure still has to match).
 */
import * as assert from "node:assert/strict";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { startLocalEcr } from "../../local";
import { startMoto } from "../helpers/moto";
import { TEST_PREFIX } from "../helpers/names";
import { client } from "./fixtures";

/** moto's default account; the local endpoint is started with the same one so ARNs compare equal. */
export const ACCOUNT_ID = "123456789012";

export interface Target {
    name: "local" | "moto";
    url: string;
    ecr: ECRClient;
    /** moto implements none of the layer operations (they answer HTTP 500). */
    layerApi: boolean;
    stop(): Promise<void>;
}

export async function startTargets(): Promise<{ local: Target; moto: Target }> {
    const [l, m] = await Promise.all([startLocalEcr({ accountId: ACCOUNT_ID }), startMoto()]);
    return {
        local: { name: "local", url: l.url, ecr: client(l.url, "us-east-1", 1), layerApi: true, stop: () => l.stop() },
        moto: { name: "moto", url: m.url, ecr: client(m.url, "us-east-1", 1), layerApi: false, stop: () => m.stop() },
    };
}

export type Observation = { ok: unknown } | { error: string; status?: number };

/** Runs a call and records its result (without `$metadata`) or its error name. */
export async function observe(call: () => Promise<unknown>): Promise<Observation> {
    try {
        const out = await call();
        if (out && typeof out === "object" && "$metadata" in out) {
            const { $metadata: _m, ...rest } = out as Record<string, unknown>;
            return { ok: rest };
        }
        return { ok: out };
    } catch (e) {
        const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
        return { error: err.name ?? String(e), status: err.$metadata?.httpStatusCode };
    }
}

const DIGEST = /sha256:[a-f0-9]{64}/g;
/** Each endpoint gets its own random repository names (tests/helpers/names.ts); the suffix is no difference. */
const RANDOM_NAME = new RegExp(`(${TEST_PREFIX}[-a-z0-9/]*?)-[0-9a-f]{8}\\b`, "g");

/** Replaces values that legitimately differ between endpoints by stable placeholders. */
export function normalize(obs: Observation): unknown {
    const digests = new Map<string, string>();
    const placeholder = (d: string) => {
        if (!digests.has(d)) digests.set(d, `<digest#${digests.size + 1}>`);
        return digests.get(d)!;
    };
    const walk = (v: unknown, key?: string): unknown => {
        if (v instanceof Date) return "<timestamp>";
        if (Array.isArray(v)) return v.map((x) => walk(x));
        if (v && typeof v === "object") {
            return Object.fromEntries(
                Object.entries(v as Record<string, unknown>)
                    .filter(([k, x]) => x !== undefined && k !== "$metadata")
                    .map(([k, x]) => [k, walk(x, k)]),
            );
        }
        if (typeof v !== "string") return v;
        if (key === "repositoryUri") return v.replace(/^[^/]+\//, "<registry>/").replace(RANDOM_NAME, "$1-<random>");
        if (key === "proxyEndpoint") return "<proxy>";
        if (key === "authorizationToken") return Buffer.from(v, "base64").toString("utf8").startsWith("AWS:") ? "<AWS:password>" : v;
        if (key === "kmsKey") return v.replace(/key\/[0-9a-f-]{36}$/, "key/<generated>");
        return v.replace(DIGEST, placeholder).replace(RANDOM_NAME, "$1-<random>");
    };
    if ("error" in obs) return { error: obs.error };
    return { ok: walk(obs.ok) };
}

/** Asserts both endpoints gave the same normalised observation, and returns the local one. */
export function assertSame(local: Observation, moto: Observation): Observation {
    assert.deepEqual(normalize(local), normalize(moto), "the local endpoint and moto disagree");
    return local;
}

/** The value of a successful observation, failing the test otherwise. */
export function ok<T = Record<string, unknown>>(obs: Observation): T {
    if ("error" in obs) assert.fail(`expected success, got ${obs.error}`);
    return obs.ok as T;
}

export function errorName(obs: Observation): string | undefined {
    return "error" in obs ? obs.error : undefined;
}

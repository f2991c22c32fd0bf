/**
 * Images for the data-source tests: many distinct OCI manifests over the same two blobs (each
 * manifest differs by one annotation, so each has its own digest), and image indexes over them.
 * Blobs go through the layer API (tests/conformance/fixtures.ts) for endpoints that check them;
 * moto does not, so there the manifests are put directly.
 */
import { ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { Blob, OCI_MANIFEST, configBlob, seededLayer, sha256, uploadLayer } from "../conformance/fixtures";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export interface SeededImage {
    digest: string;
    manifest: string;
    tag?: string;
    /** Position in push order: later pushes have larger numbers. */
    order: number;
}

/** The two blobs every seeded manifest refers to. */
export function seedBlobs(label = "data-sources"): { config: Blob; layer: Blob } {
    return { config: configBlob(label), layer: seededLayer(label, 2048) };
}

/** An OCI manifest over `config` and `layer`, made distinct by `note`. */
export function manifestText(blobs: { config: Blob; layer: Blob }, note: string): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: blobs.config.mediaType, digest: blobs.config.digest, size: blobs.config.size },
        layers: [{ mediaType: blobs.layer.mediaType, digest: blobs.layer.digest, size: blobs.layer.size }],
        annotations: { "org.example.note": note },
    });
}

/** An OCI image index over single-platform manifests, one per platform. */
export function indexText(entries: { digest: string; size: number; os: string; architecture: string; variant?: string }[]): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: entries.map((e) => ({
            mediaType: OCI_MANIFEST,
            digest: e.digest,
            size: e.size,
            platform: { os: e.os, architecture: e.architecture, ...(e.variant ? { variant: e.variant } : {}) },
        })),
    });
}

/** Uploads the shared blobs into `repositoryName` (only for endpoints with the layer API). */
export async function uploadSeedBlobs(client: ECRClient, repositoryName: string, blobs = seedBlobs()): Promise<void> {
    for (const b of [blobs.config, blobs.layer]) await uploadLayer(client, repositoryName, b);
}

/**
 * Pushes `count` distinct images in order, `concurrency` at a time; `tagOf(i)` names the tag of
 * image `i` (undefined: untagged). Returns them in push order. The last `spacedTail` images are
 * pushed one by one, each once the clock has moved on a millisecond, so their push times are strictly increasing.
 */
export async function pushImages(
    client: ECRClient,
    repositoryName: string,
    count: number,
    opts: {
        tagOf?: (i: number) => string | undefined;
        blobs?: { config: Blob; layer: Blob };
        concurrency?: number;
        spacedTail?: number;
        note?: string;
    } = {},
): Promise<SeededImage[]> {
    const blobs = opts.blobs ?? seedBlobs();
    const tagOf = opts.tagOf ?? (() => undefined);
    const out: SeededImage[] = new Array(count);
    const put = async (i: number) => {
        const manifest = manifestText(blobs, `${opts.note ?? repositoryName}-${i}`);
        const tag = tagOf(i);
        await client.send(
            new PutImageCommand({ repositoryName, imageManifest: manifest, imageManifestMediaType: OCI_MANIFEST, imageTag: tag }),
        );
        out[i] = { digest: sha256(manifest), manifest, tag, order: i };
    };
    const tail = Math.min(opts.spacedTail ?? 0, count);
    const bulk = count - tail;
    let next = 0;
    const worker = async () => {
        while (next < bulk) await put(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, bulk)) }, worker));
    for (let i = bulk; i < count; i++) {
        await nextClockUnit(1);
        await put(i);
    }
    return out;
}

/**
 * Resolves once the wall clock has left the current `unitMs` interval. A server on this machine that
 * records push times in `unitMs` units (the local endpoint: 1 ms; moto: 1000 ms, truncated) records a
 * push started afterwards strictly later than any push already answered. Waits at most about one unit.
 */
export async function nextClockUnit(unitMs: number): Promise<void> {
    const current = Math.floor(Date.now() / unitMs);
    for (let i = 0; i < 50 && Math.floor(Date.now() / unitMs) === current; i++) {
        await new Promise((r) => setTimeout(r, Math.max(1, (current + 1) * unitMs - Date.now())));
    }
    if (Math.floor(Date.now() / unitMs) === current) throw new Error(`the clock did not leave its ${unitMs} ms interval`);
}

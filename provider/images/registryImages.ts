/**
 * What `ImageTag` and `ImageCopy` share about images already in ECR: the argument rules checked in
 * `check()`, one finder for a manifest (BatchGetImage accepting every manifest media type) and one
 * for an image's tags (DescribeImages), platform selection in an index, and the removal of tags
 * and orphaned manifests on delete. Nothing here moves layer bytes; that is push.ts.
 */
import { createHash } from "node:crypto";
import {
    BatchDeleteImageCommand,
    BatchGetImageCommand,
    DescribeImagesCommand,
    type ECRClient,
    type ImageIdentifier,
} from "@aws-sdk/client-ecr";
import { EcrError, NotFoundError, isA } from "../errors";
import { findRepositoryByName } from "../repository";
import { type Failures, UNKNOWN, type UncheckedInputs } from "../validate";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Every manifest media type ECR stores: asking for all of them means ECR never converts, so the bytes (and digest) stay. */
export const ALL_MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];
const INDEX_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST];

/** The OCI Distribution tag grammar: what every registry client can pull. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** A digest as ECR stores them. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** A registry id is the 12-digit account id. */
export const REGISTRY_ID_PATTERN = /^[0-9]{12}$/;
/** `os/architecture[/variant]`, as `docker --platform` spells it. */
export const PLATFORM_PATTERN = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?$/;

// ---------- checks (run in check(), before any AWS call) ----------

/** Adds a failure unless `value` is an image tag (unknown during preview passes). */
export function checkTag(f: Failures, property: string, value: unknown): void {
    if (value === UNKNOWN) return;
    if (typeof value !== "string" || !TAG_PATTERN.test(value)) {
        f.add(property, `must be an image tag: 1 to 128 letters, digits, _ . -, not starting with . or -, got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless `value` is `sha256:<64 lower-case hex>`. */
export function checkDigest(f: Failures, property: string, value: unknown): void {
    if (value === UNKNOWN) return;
    if (typeof value !== "string" || !DIGEST_PATTERN.test(value)) {
        f.add(property, `must be a digest of the form "sha256:<64 lower-case hex digits>", got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless `value` is undefined or a 12-digit account id. */
export function checkRegistryId(f: Failures, property: string, value: unknown): void {
    if (value === undefined || value === UNKNOWN) return;
    if (typeof value !== "string" || !REGISTRY_ID_PATTERN.test(value)) {
        f.add(property, `must be a 12-digit AWS account id, got ${JSON.stringify(value)}`);
    }
}

/** Adds a failure unless exactly one of the two selectors is set. */
export function checkOneOf(f: Failures, prefix: string, bag: Record<string, unknown>, a: string, b: string): void {
    const has = (k: string) => bag[k] !== undefined && bag[k] !== null && bag[k] !== "";
    if (has(a) === has(b)) {
        const why = has(a) ? "not both" : "neither is set";
        f.add(
            `${prefix}${a} | ${prefix}${b}`,
            `set exactly one of \`${prefix}${a}\` (an image tag) and \`${prefix}${b}\` (a digest); ${why}`,
        );
    }
}

/** Checks a platform list; returns it de-duplicated and sorted, so diff compares sets. */
export function checkPlatforms(f: Failures, property: string, value: unknown): string[] | undefined | typeof UNKNOWN {
    if (value === undefined || value === null) return undefined;
    if (value === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(value) || value.length === 0) {
        f.add(property, `must be a non-empty list of platforms such as ["linux/amd64", "linux/arm64"], got ${JSON.stringify(value)}`);
        return undefined;
    }
    value.forEach((p, i) => {
        if (p !== UNKNOWN && (typeof p !== "string" || !PLATFORM_PATTERN.test(p))) {
            f.add(
                `${property}[${i}]`,
                `must be "os/architecture" or "os/architecture/variant", e.g. "linux/amd64", got ${JSON.stringify(p)}`,
            );
        }
    });
    return [...new Set(value as string[])].sort();
}

// ---------- finders ----------

/** One image's manifest exactly as stored. */
export interface StoredManifest {
    digest: string;
    /** The manifest bytes as UTF-8 text (PutImage carries text). */
    manifest: string;
    mediaType: string;
}

/** `repo:tag`, `repo@digest`, with the registry when given: how messages name an image. */
export function imageRef(repositoryName: string, id: ImageIdentifier, registryId?: string): string {
    const ref = id.imageTag ? `${repositoryName}:${id.imageTag}` : `${repositoryName}@${id.imageDigest}`;
    return registryId ? `${registryId}/${ref}` : ref;
}

/**
 * The manifest of the image with this tag or digest: one BatchGetImage accepting every manifest
 * media type, so ECR returns the stored bytes unconverted. BatchGetImage reports a missing image in
 * `failures`; this is the one place that turns that (or a missing repository) into NotFoundError.
 */
export async function findManifest(
    client: ECRClient,
    repositoryName: string,
    id: ImageIdentifier,
    registryId?: string,
): Promise<StoredManifest> {
    const what = imageRef(repositoryName, id, registryId);
    let out;
    try {
        out = await client.send(
            new BatchGetImageCommand({ repositoryName, registryId, imageIds: [id], acceptedMediaTypes: ALL_MANIFEST_TYPES }),
        );
    } catch (e) {
        if (isA(e, "RepositoryNotFoundException")) {
            throw new NotFoundError(`ECR Image (${what}) not found: repository "${repositoryName}" does not exist`, { cause: e });
        }
        throw e;
    }
    const failure = out.failures?.[0];
    if (failure) {
        const reason = `${failure.failureCode}: ${failure.failureReason ?? ""}`;
        if (failure.failureCode === "ImageNotFound" || failure.failureCode === "ImageTagDoesNotMatchDigest") {
            const missing = id.imageTag ? `no image tagged "${id.imageTag}"` : `no image with digest ${id.imageDigest}`;
            throw new NotFoundError(`ECR Image (${what}) not found: repository "${repositoryName}" has ${missing}`, {
                cause: new Error(reason),
            });
        }
        throw new Error(reason);
    }
    const image = out.images?.[0];
    if (!image?.imageManifest) throw new NotFoundError(`ECR Image (${what}) not found: BatchGetImage returned no manifest`);
    const manifest = image.imageManifest;
    let mediaType = image.imageManifestMediaType;
    if (!mediaType) {
        try {
            mediaType = JSON.parse(manifest).mediaType;
        } catch {
            // left undefined: handled below
        }
    }
    return {
        digest: image.imageId?.imageDigest ?? sha256(manifest),
        manifest,
        mediaType: mediaType || DOCKER_MANIFEST,
    };
}

/** The tags on the image with `digest`, or NotFoundError when the image (or its repository) is gone. */
export async function findImageTags(client: ECRClient, repositoryName: string, digest: string, registryId?: string): Promise<string[]> {
    try {
        const out = await client.send(new DescribeImagesCommand({ repositoryName, registryId, imageIds: [{ imageDigest: digest }] }));
        const detail = out.imageDetails?.find((d) => d.imageDigest === digest);
        if (!detail) throw new NotFoundError(`ECR Image (${repositoryName}@${digest}) not found`);
        return [...(detail.imageTags ?? [])].sort();
    } catch (e) {
        if (isA(e, "ImageNotFoundException", "RepositoryNotFoundException")) {
            throw new NotFoundError(`ECR Image (${repositoryName}@${digest}) not found`, { cause: e });
        }
        throw e;
    }
}

/** The repository's URL as ECR reports it, and its registry id: `imageUri` is built on them. */
export async function repositoryLocation(
    client: ECRClient,
    repositoryName: string,
    registryId?: string,
): Promise<{ repositoryUrl: string; registryId: string }> {
    const repo = await findRepositoryByName(client, repositoryName, registryId);
    return { repositoryUrl: repo.repositoryUri ?? "", registryId: repo.registryId ?? registryId ?? "" };
}

export function sha256(text: string | Buffer): string {
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

// ---------- manifests ----------

/** A blob a single-platform manifest refers to. */
export interface ManifestBlob {
    digest: string;
    size: number;
    mediaType?: string;
}

/** The parts of a manifest the copy needs. */
export interface ParsedManifest {
    isIndex: boolean;
    /** Index entries (raw JSON objects, so a narrowed index keeps every field of those it keeps). */
    entries: ManifestJson[];
    /** Config and layers of a single-platform manifest; foreign layers (with `urls`) are left out: ECR never holds them. */
    blobs: ManifestBlob[];
    doc: ManifestJson;
}

/** A manifest or index as parsed from its JSON text: read field by field, never trusted. */
export type ManifestJson = UncheckedInputs;

export function parseManifest(m: StoredManifest): ParsedManifest {
    const doc = JSON.parse(m.manifest);
    const isIndex = INDEX_TYPES.includes(m.mediaType) || (Array.isArray(doc.manifests) && !Array.isArray(doc.layers));
    if (isIndex) return { isIndex, entries: Array.isArray(doc.manifests) ? doc.manifests : [], blobs: [], doc };
    const blobs: ManifestBlob[] = [];
    const add = (b: ManifestJson | undefined) => {
        if (b && typeof b.digest === "string" && !(Array.isArray(b.urls) && b.urls.length)) {
            blobs.push({ digest: b.digest, size: Number(b.size ?? 0), mediaType: b.mediaType });
        }
    };
    add(doc.config);
    for (const l of Array.isArray(doc.layers) ? doc.layers : []) add(l);
    return { isIndex, entries: [], blobs, doc };
}

/** `os/arch[/variant]` of an index entry, or undefined for entries without a real platform (attestations). */
export function entryPlatform(entry: ManifestJson | undefined): string | undefined {
    const p = entry?.platform;
    if (!p?.os || !p.architecture || p.os === "unknown") return undefined;
    return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** Whether `wanted` ("linux/arm64") selects the entry's platform ("linux/arm64/v8"): a missing variant matches any. */
export function platformMatches(wanted: string, platform: string): boolean {
    const [wo, wa, wv] = wanted.split("/");
    const [po, pa, pv] = platform.split("/");
    return wo === po && wa === pa && (wv === undefined || wv === pv);
}

/**
 * Narrows an index to `platforms`, keeping the entries in their original order, with every field
 * they had, plus the attestation manifests that refer to a kept entry. The result is the original
 * document with only `manifests` replaced, serialised by `JSON.stringify` without whitespace: the
 * same source and platforms always give the same bytes, so the narrowed digest is stable.
 * Throws when no entry matches, naming the platforms the index has.
 */
export function narrowIndex(doc: ManifestJson, platforms: string[], what: string): { manifest: string; entries: ManifestJson[] } {
    const entries: ManifestJson[] = Array.isArray(doc.manifests) ? doc.manifests : [];
    const kept = entries.filter((e) => {
        const p = entryPlatform(e);
        return p !== undefined && platforms.some((w) => platformMatches(w, p));
    });
    if (kept.length === 0) {
        const has = entries.map(entryPlatform).filter(Boolean);
        throw new Error(`no entry of ${what} matches platforms ${JSON.stringify(platforms)}; the index has ${JSON.stringify(has)}`);
    }
    const keptDigests = new Set(kept.map((e) => e.digest));
    const attestations = entries.filter(
        (e) =>
            entryPlatform(e) === undefined &&
            e?.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" &&
            keptDigests.has(e?.annotations?.["vnd.docker.reference.digest"]),
    );
    const keep = new Set([...kept, ...attestations]);
    const narrowed = entries.filter((e) => keep.has(e));
    return { manifest: JSON.stringify({ ...doc, manifests: narrowed }), entries: narrowed };
}

// ---------- removal ----------

/** BatchDeleteImage for some image ids; returns the failures other than "already gone". */
async function batchDelete(client: ECRClient, repositoryName: string, registryId: string | undefined, imageIds: ImageIdentifier[]) {
    if (imageIds.length === 0) return [];
    try {
        const out = await client.send(new BatchDeleteImageCommand({ repositoryName, registryId, imageIds }));
        return (out.failures ?? []).filter((f) => f.failureCode !== "ImageNotFound");
    } catch (e) {
        if (isA(e, "RepositoryNotFoundException")) return [];
        throw e;
    }
}

/**
 * Removes `tags` from the image with `digest` (only those still on it: a tag moved to another image
 * since belongs to someone else now), then the image itself when no tag is left on it, then the
 * untagged manifests it listed (an index's platform manifests) unless another index still uses them.
 * Repository gone, image gone: done. `kind`/`id` name the resource in errors.
 */
export async function removeTagsAndOrphans(
    client: ECRClient,
    target: { repositoryName: string; registryId?: string },
    digest: string,
    tags: string[],
    err: { kind: string; id: string },
): Promise<void> {
    const { repositoryName, registryId } = target;
    const fail = (what: string, failures: { failureCode?: string; failureReason?: string }[]) => {
        const reason = failures.map((f) => `${f.failureCode}: ${f.failureReason ?? ""}`).join("; ");
        throw new EcrError(what, err.kind, err.id, new Error(reason));
    };
    let current: string[];
    let stored: StoredManifest;
    try {
        current = await findImageTags(client, repositoryName, digest, registryId);
        stored = await findManifest(client, repositoryName, { imageDigest: digest }, registryId);
    } catch (e) {
        if (e instanceof NotFoundError) return;
        throw new EcrError("deleting", err.kind, err.id, e);
    }
    const ours = tags.filter((t) => current.includes(t));
    const tagFailures = await batchDelete(
        client,
        repositoryName,
        registryId,
        ours.map((imageTag) => ({ imageTag })),
    );
    if (tagFailures.length) fail("deleting tags of", tagFailures);
    const left = current.filter((t) => !ours.includes(t));
    if (left.length > 0) return; // another tag still points at the image: it stays
    // ECR drops an image with its last tag; an untagged one (or one never tagged) goes by digest.
    const imageFailures = await batchDelete(client, repositoryName, registryId, [{ imageDigest: digest }]);
    if (imageFailures.some((f) => f.failureCode !== "ImageReferencedByManifestList")) fail("deleting", imageFailures);
    const parsed = parseManifest(stored);
    if (!parsed.isIndex) return;
    for (const e of parsed.entries) {
        if (typeof e?.digest !== "string") continue;
        let childTags: string[];
        try {
            childTags = await findImageTags(client, repositoryName, e.digest, registryId);
        } catch (x) {
            if (x instanceof NotFoundError) continue;
            throw new EcrError("deleting", err.kind, err.id, x);
        }
        if (childTags.length > 0) continue;
        const childFailures = await batchDelete(client, repositoryName, registryId, [{ imageDigest: e.digest }]);
        // Another index still lists this manifest: it stays with that index.
        if (childFailures.some((f) => f.failureCode !== "ImageReferencedByManifestList")) fail("deleting", childFailures);
    }
}

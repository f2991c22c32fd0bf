/**
 * Image rules both sides share: how a manifest is read, what its digest and size are, which
 * blobs it needs, and what a push or a delete does to a repository's images and tags. The JSON
 * API (PutImage, BatchDeleteImage) and the registry side (PUT/DELETE manifests) both call these,
 * so what one side writes the other sees, under the same tag-mutability rules.
 */
import * as crypto from "node:crypto";
import { EcrException, invalidParameter } from "./exceptions";
import type { ImageRecord, Repository, Store } from "./store";

export const MEDIA_TYPES = {
    dockerV2: "application/vnd.docker.distribution.manifest.v2+json",
    dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
    dockerV1: "application/vnd.docker.distribution.manifest.v1+json",
    dockerV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
    ociManifest: "application/vnd.oci.image.manifest.v1+json",
    ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

const SUPPORTED_MEDIA_TYPES: string[] = Object.values(MEDIA_TYPES);
const INDEX_TYPES: string[] = [MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex];

export function sha256Digest(data: Buffer | string): string {
    return "sha256:" + crypto.createHash("sha256").update(data).digest("hex");
}

export interface ParsedManifest {
    mediaType: string;
    artifactMediaType?: string;
    /** Config and layer blobs, each with the size the manifest declares. */
    blobs: { digest: string; size: number }[];
    /** Sum of the layers' sizes as the manifest declares them (ECR's imageSizeInBytes). */
    layersSize: number;
    /** Manifests referenced by a manifest list / index. */
    children: string[];
    subjectDigest?: string;
}

/** Reads a manifest as ECR does, rejecting what ECR rejects with `InvalidParameterException`. */
export function parseManifest(text: string, declaredMediaType?: string): ParsedManifest {
    let doc: Record<string, unknown>;
    try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        doc = parsed as Record<string, unknown>;
    } catch {
        throw invalidParameter("ImageManifest", "Invalid JSON syntax");
    }
    const inner = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
    const mediaType = declaredMediaType ?? inner;
    if (!mediaType) {
        // ECR needs the media type from the manifest or from imageManifestMediaType.
        throw invalidParameter("ImageManifest", "Invalid JSON syntax");
    }
    if (inner && declaredMediaType && inner !== declaredMediaType) {
        throw invalidParameter("imageManifestMediaType", `Manifest mediaType '${inner}' does not match '${declaredMediaType}'`);
    }
    if (!SUPPORTED_MEDIA_TYPES.includes(mediaType)) {
        throw invalidParameter("imageManifestMediaType", `Unsupported manifest media type '${mediaType}'`);
    }
    const result: ParsedManifest = { mediaType, blobs: [], layersSize: 0, children: [] };
    const descriptor = (v: unknown, where: string): { digest: string; size: number; mediaType?: string } => {
        const o = v as Record<string, unknown> | null;
        if (!o || typeof o.digest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(o.digest) || typeof o.size !== "number") {
            throw invalidParameter("ImageManifest", `Invalid descriptor in ${where}`);
        }
        return { digest: o.digest, size: o.size, mediaType: typeof o.mediaType === "string" ? o.mediaType : undefined };
    };
    if (INDEX_TYPES.includes(mediaType)) {
        if (!Array.isArray(doc.manifests)) throw invalidParameter("ImageManifest", "Manifest list has no 'manifests'");
        result.children = doc.manifests.map((m) => descriptor(m, "manifests").digest);
    } else if (mediaType === MEDIA_TYPES.dockerV1 || mediaType === MEDIA_TYPES.dockerV1Signed) {
        const fsLayers = Array.isArray(doc.fsLayers) ? doc.fsLayers : [];
        for (const l of fsLayers) {
            const sum = (l as Record<string, unknown>)?.blobSum;
            if (typeof sum === "string") result.blobs.push({ digest: sum, size: 0 });
        }
    } else {
        if (doc.schemaVersion !== 2) throw invalidParameter("ImageManifest", "schemaVersion must be 2");
        const config = descriptor(doc.config, "config");
        result.artifactMediaType = config.mediaType;
        result.blobs.push({ digest: config.digest, size: config.size });
        const layers = Array.isArray(doc.layers) ? doc.layers : [];
        for (const l of layers) {
            const d = descriptor(l, "layers");
            result.blobs.push({ digest: d.digest, size: d.size });
            result.layersSize += d.size;
        }
    }
    if (doc.subject !== undefined) result.subjectDigest = descriptor(doc.subject, "subject").digest;
    return result;
}

function wildcardToRegExp(filter: string): RegExp {
    const body = filter
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${body}$`);
}

/** Whether pushing `tag` onto a different image is refused under the repository's mutability setting. */
export function isTagImmutable(repo: Repository, tag: string): boolean {
    const matches = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcardToRegExp(f.filter).test(tag));
    switch (repo.imageTagMutability) {
        case "IMMUTABLE":
            return true;
        case "IMMUTABLE_WITH_EXCLUSION":
            return !matches;
        case "MUTABLE_WITH_EXCLUSION":
            return matches;
        default:
            return false;
    }
}

export interface PutImageOptions {
    mediaType?: string;
    tag?: string;
    /** The digest the caller claims; must equal the sha256 of the manifest bytes. */
    digest?: string;
    registryId: string;
}

export interface PutImageResult {
    image: ImageRecord;
}

/**
 * PutImage as ECR does it: the digest is the sha256 of the manifest bytes, every blob the
 * manifest references must be in the repository (`LayersNotFoundException`), every manifest an
 * index references too (`ReferencedImagesNotFoundException`), and a tag only moves to another
 * image when the repository's mutability allows it (`ImageTagAlreadyExistsException`).
 * Persists the repository before returning.
 */
export function putImage(store: Store, repo: Repository, manifest: string, opts: PutImageOptions): PutImageResult {
    const parsed = parseManifest(manifest, opts.mediaType);
    const digest = sha256Digest(Buffer.from(manifest, "utf8"));
    if (opts.digest !== undefined && opts.digest !== digest) {
        throw new EcrException(
            "ImageDigestDoesNotMatchException",
            `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The image digest '${opts.digest}' does not match the digest '${digest}' calculated for the manifest'`,
        );
    }
    const missing = parsed.blobs.filter((b) => !repo.layers[b.digest]).map((b) => b.digest);
    if (missing.length > 0) {
        throw new EcrException(
            "LayersNotFoundException",
            `Layers with digests '[${missing.join(", ")}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${opts.registryId}' do not exist`,
        );
    }
    const missingChildren = parsed.children.filter((d) => !repo.images[d]);
    if (missingChildren.length > 0) {
        throw new EcrException(
            "ReferencedImagesNotFoundException",
            `Images with digests '[${missingChildren.join(", ")}]' referenced by the manifest list do not exist in the repository with name '${repo.name}'`,
        );
    }
    const existing = repo.images[digest];
    const tag = opts.tag;
    if (existing && (tag === undefined || existing.tags.includes(tag))) {
        throw new EcrException(
            "ImageAlreadyExistsException",
            `Image with digest '${digest}'${tag !== undefined ? ` and tag '${tag}'` : ""} already exists in the repository with name '${repo.name}' in registry with id '${opts.registryId}'`,
        );
    }
    if (tag !== undefined) {
        const holder = repo.tagIndex.get(tag);
        if (holder && holder !== digest && isTagImmutable(repo, tag)) {
            throw new EcrException(
                "ImageTagAlreadyExistsException",
                `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the tag is immutable.`,
            );
        }
    }
    let image = existing;
    if (!image) {
        const size = parsed.children.length
            ? Math.max(0, ...parsed.children.map((d) => repo.images[d]?.sizeInBytes ?? 0))
            : parsed.layersSize;
        image = {
            digest,
            manifest,
            mediaType: parsed.mediaType,
            sizeInBytes: size,
            pushedAt: Date.now(),
            tags: [],
            blobs: parsed.blobs.map((b) => b.digest),
            children: parsed.children,
        };
        if (parsed.artifactMediaType) image.artifactMediaType = parsed.artifactMediaType;
        if (parsed.subjectDigest) image.subjectDigest = parsed.subjectDigest;
        repo.images[digest] = image;
    }
    if (tag !== undefined) {
        const holder = repo.tagIndex.get(tag);
        if (holder && holder !== digest) {
            const prev = repo.images[holder];
            if (prev) prev.tags = prev.tags.filter((t) => t !== tag);
        }
        image.tags.push(tag);
        repo.tagIndex.set(tag, digest);
    }
    store.saveRepository(repo);
    return { image };
}

/** Removes an image and all its tags (no persistence; the caller saves). */
export function removeImage(repo: Repository, digest: string): ImageRecord | undefined {
    const image = repo.images[digest];
    if (!image) return undefined;
    for (const t of image.tags) repo.tagIndex.delete(t);
    delete repo.images[digest];
    return image;
}

/** Removes one tag; the image goes with its last tag, as in ECR (no persistence). */
export function removeTag(repo: Repository, tag: string): ImageRecord | undefined {
    const digest = repo.tagIndex.get(tag);
    if (!digest) return undefined;
    const image = repo.images[digest];
    repo.tagIndex.delete(tag);
    image.tags = image.tags.filter((t) => t !== tag);
    if (image.tags.length === 0) delete repo.images[digest];
    return image;
}

/** Digests of the index manifests in `repo` that reference `digest`. */
export function referencingIndexes(repo: Repository, digest: string): string[] {
    return Object.values(repo.images)
        .filter((i) => i.children.includes(digest))
        .map((i) => i.digest);
}

/** Resolves an image by tag and/or digest; a tag that points elsewhere than the digest is no match. */
export function findImage(repo: Repository, id: { imageTag?: string; imageDigest?: string }): ImageRecord | undefined {
    if (id.imageTag !== undefined) {
        const d = repo.tagIndex.get(id.imageTag);
        if (!d) return undefined;
        if (id.imageDigest !== undefined && id.imageDigest !== d) return undefined;
        return repo.images[d];
    }
    if (id.imageDigest !== undefined) return repo.images[id.imageDigest];
    return undefined;
}

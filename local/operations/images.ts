/**
 * Operations on images: describe, list, get, delete and put manifests. The image rules both sides
 * share (what a push or delete does to tags) live in `../images.ts`.
 */
import { EcrException, invalidParameter } from "../exceptions";
import { findImage, putImage, referencingIndexes, removeImage, removeTag } from "../images";
import type { ImageRecord, Repository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, paginate, requestedRepository, seconds } from "./common";

function imageKey(i: ImageRecord): string {
    return `${String(i.pushedAt).padStart(15, "0")}|${i.digest}`;
}

function imageDetail(ctx: ApiContext, repo: Repository, i: ImageRecord): Json {
    const out: Json = {
        registryId: ctx.config.accountId,
        repositoryName: repo.name,
        imageDigest: i.digest,
        imageSizeInBytes: i.sizeInBytes,
        imagePushedAt: seconds(i.pushedAt),
        imageManifestMediaType: i.mediaType,
    };
    // ECR leaves imageTags out for an untagged image rather than sending [].
    if (i.tags.length) out.imageTags = [...i.tags];
    if (i.artifactMediaType) out.artifactMediaType = i.artifactMediaType;
    if (i.lastPulledAt) out.lastRecordedPullTime = seconds(i.lastPulledAt);
    if (i.subjectDigest) out.subjectManifestDigest = i.subjectDigest;
    return out;
}

function matchesTagStatus(i: ImageRecord, status: v.TagStatus): boolean {
    return status === "ANY" || (status === "TAGGED" ? i.tags.length > 0 : i.tags.length === 0);
}

function imageIdText(id: v.ImageId): string {
    return `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;
}

const DescribeImages: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.optionalArray(input, "imageIds", 1, 100);
    const limit = v.maxResults(input, 1000);
    const status = v.tagStatusFilter(input);
    if (ids) {
        if (limit !== undefined || input.nextToken !== undefined) {
            throw invalidParameter("maxResults", "maxResults and nextToken cannot be used with imageIds");
        }
        const seen = new Set<string>();
        const details: Json[] = [];
        for (const raw of ids) {
            const id = v.imageId(raw);
            if (id.imageDigest === undefined && id.imageTag === undefined) {
                throw invalidParameter("imageIds", "Invalid request parameters: both tag and digest cannot be null");
            }
            if (id.imageDigest !== undefined && !v.isDigest(id.imageDigest)) {
                throw invalidParameter("imageIds.imageDigest", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
            }
            const image = findImage(repo, id);
            if (!image) {
                throw new EcrException(
                    "ImageNotFoundException",
                    `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
                );
            }
            if (!seen.has(image.digest)) {
                seen.add(image.digest);
                details.push(imageDetail(ctx, repo, image));
            }
        }
        return { imageDetails: details };
    }
    const images = v.imageStatusMatchesActive(input) ? Object.values(repo.images).filter((i) => matchesTagStatus(i, status)) : [];
    const { page, nextToken } = paginate(images, imageKey, input, "DescribeImages", repo.name, limit);
    const out: Json = { imageDetails: page.map((i) => imageDetail(ctx, repo, i)) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

const ListImages: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const limit = v.maxResults(input, 1000);
    const status = v.tagStatusFilter(input);
    const entries: { key: string; id: v.ImageId }[] = [];
    if (v.imageStatusMatchesActive(input)) {
        for (const i of Object.values(repo.images)) {
            if (!matchesTagStatus(i, status)) continue;
            if (i.tags.length === 0) entries.push({ key: `${imageKey(i)}|`, id: { imageDigest: i.digest } });
            for (const t of i.tags) entries.push({ key: `${imageKey(i)}|${t}`, id: { imageDigest: i.digest, imageTag: t } });
        }
    }
    const { page, nextToken } = paginate(entries, (e) => e.key, input, "ListImages", repo.name, limit);
    const out: Json = { imageIds: page.map((e) => e.id) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

interface ImageFailure {
    imageId: v.ImageId;
    failureCode: string;
    failureReason: string;
}

/** Judges one requested image id the way BatchGetImage and BatchDeleteImage do. */
function checkRequestedId(id: v.ImageId): ImageFailure | undefined {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
        return {
            imageId: id,
            failureCode: "MissingDigestAndTag",
            failureReason: "Invalid request parameters: both tag and digest cannot be null",
        };
    }
    if (id.imageDigest !== undefined && !v.isDigest(id.imageDigest)) {
        return {
            imageId: id,
            failureCode: "InvalidImageDigest",
            failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        };
    }
    if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300)) {
        return {
            imageId: id,
            failureCode: "InvalidImageTag",
            failureReason: "Invalid request parameters: image tag must have length between 1 and 300",
        };
    }
    return undefined;
}

/** The image a batch call asks for, or the failure ECR reports for it (bad id, or not found). */
function requestedImage(repo: Repository, id: v.ImageId): { image: ImageRecord } | { failure: ImageFailure } {
    const failure = checkRequestedId(id);
    if (failure) return { failure };
    const image = findImage(repo, id);
    return image ? { image } : { failure: notFoundFailure(repo, id) };
}

function notFoundFailure(repo: Repository, id: v.ImageId): ImageFailure {
    if (id.imageTag !== undefined && id.imageDigest !== undefined && repo.tagIndex.has(id.imageTag)) {
        return {
            imageId: id,
            failureCode: "ImageTagDoesNotMatchDigest",
            failureReason: "Invalid request parameters: image tag does not match digest",
        };
    }
    return { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" };
}

const BatchGetImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.requireArray(input, "imageIds", 1, 100).map(v.imageId);
    const accepted = v.optionalArray(input, "acceptedMediaTypes", 1, 100);
    if (accepted && accepted.some((m) => typeof m !== "string")) throw invalidParameter("acceptedMediaTypes", "Member must be a string");
    const images: Json[] = [];
    const failures: ImageFailure[] = [];
    const served = new Set<string>();
    for (const id of ids) {
        const found = requestedImage(repo, id);
        if ("failure" in found) {
            failures.push(found.failure);
            continue;
        }
        const image = found.image;
        if (accepted && !accepted.includes(image.mediaType)) {
            // No manifest conversion here: a type the caller does not accept is not served.
            failures.push({
                imageId: id,
                failureCode: "ImageNotFound",
                failureReason: `Requested image not found in an accepted media type (stored as '${image.mediaType}')`,
            });
            continue;
        }
        const key = `${image.digest}|${id.imageTag ?? ""}`;
        if (served.has(key)) continue;
        served.add(key);
        const imageId: v.ImageId = { imageDigest: image.digest };
        if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
        images.push({
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            imageId,
            imageManifest: image.manifest,
            imageManifestMediaType: image.mediaType,
        });
    }
    return { images, failures };
};

const BatchDeleteImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.requireArray(input, "imageIds", 1, 100).map(v.imageId);
    const deleted: v.ImageId[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
        const found = requestedImage(repo, id);
        if ("failure" in found) {
            failures.push(found.failure);
            continue;
        }
        const image = found.image;
        const removesImage = id.imageTag === undefined || image.tags.length === 1;
        if (removesImage && referencingIndexes(repo, image.digest).length > 0) {
            failures.push({
                imageId: id,
                failureCode: "ImageReferencedByManifestList",
                failureReason: "Requested image is referenced by a manifest list",
            });
            continue;
        }
        if (id.imageTag !== undefined) {
            removeTag(repo, id.imageTag);
            deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
        } else {
            removeImage(repo, image.digest);
            if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
            for (const t of image.tags) deleted.push({ imageDigest: image.digest, imageTag: t });
        }
    }
    if (deleted.length) ctx.store.saveRepository(repo);
    return { imageIds: deleted, failures };
};

const PutImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const manifest = v.requireString(input, "imageManifest");
    if (manifest.length < 1 || manifest.length > 4194304)
        throw invalidParameter("imageManifest", "Member must have length between 1 and 4194304");
    const tag = v.optionalString(input, "imageTag");
    if (tag !== undefined) v.checkImageTag(tag);
    const digest = v.optionalString(input, "imageDigest");
    const { image } = putImage(ctx.store, repo, manifest, {
        mediaType: v.optionalString(input, "imageManifestMediaType"),
        tag,
        digest,
        registryId: ctx.config.accountId,
    });
    const imageId: v.ImageId = { imageDigest: image.digest };
    if (tag !== undefined) imageId.imageTag = tag;
    return {
        image: {
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            imageId,
            imageManifest: image.manifest,
            imageManifestMediaType: image.mediaType,
        },
    };
};

/** Image operations by name. */
export const imageOperations: OperationTable = {
    DescribeImages,
    ListImages,
    BatchGetImage,
    BatchDeleteImage,
    PutImage,
};

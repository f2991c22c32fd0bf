/**
 * Operations on layers: availability, the chunked upload (Initiate / UploadLayerPart / Complete)
 * and the download URL.
 */
import { EcrException, invalidParameter } from "../exceptions";
import type { Repository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, requestedRepository } from "./common";

/** Layer parts other than the last must be at least this large (ECR's rule). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const DOWNLOAD_URL_LIFETIME_MS = 60 * 60 * 1000;

function layerDigestList(input: Json): string[] {
    return v.requireArray(input, "layerDigests", 1, 100).map((d) => {
        if (typeof d !== "string") throw invalidParameter("layerDigests", "Member must be a string");
        return d;
    });
}

function uploadFor(ctx: ApiContext, repo: Repository, input: Json) {
    const uploadId = v.requireString(input, "uploadId");
    const upload = ctx.store.getUpload(uploadId);
    if (!upload || upload.repositoryName !== repo.name || upload.source !== "api") {
        throw new EcrException(
            "UploadNotFoundException",
            `Upload with id '${uploadId}' does not exist for the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    return upload;
}

const BatchCheckLayerAvailability: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const digests = layerDigestList(input);
    const layers: Json[] = [];
    const failures: Json[] = [];
    for (const d of digests) {
        if (!v.isDigest(d)) {
            failures.push({ layerDigest: d, failureCode: "InvalidLayerDigest", failureReason: "Invalid layer digest" });
            continue;
        }
        const link = repo.layers[d];
        if (!link) {
            failures.push({ layerDigest: d, failureCode: "MissingLayerDigest", failureReason: "Could not find layer" });
            continue;
        }
        const layer: Json = { layerDigest: d, layerAvailability: "AVAILABLE", layerSize: link.size };
        if (link.mediaType) layer.mediaType = link.mediaType;
        layers.push(layer);
    }
    return { layers, failures };
};

const InitiateLayerUpload: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = ctx.store.createUpload(repo.name, "api");
    return { uploadId: upload.id, partSize: MIN_PART_SIZE };
};

const UploadLayerPart: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = uploadFor(ctx, repo, input);
    const first = input.partFirstByte;
    const last = input.partLastByte;
    // Decoded already when the server cut it out of the request bytes (http.ts parseLayerPartRequest).
    const decoded = Buffer.isBuffer(input.layerPartBlob) ? input.layerPartBlob : undefined;
    const blobText = decoded ? "" : v.requireString(input, "layerPartBlob");
    if (typeof first !== "number" || !Number.isInteger(first) || first < 0)
        throw invalidParameter("partFirstByte", "Member must be a non-negative integer");
    if (typeof last !== "number" || !Number.isInteger(last) || last < 0)
        throw invalidParameter("partLastByte", "Member must be a non-negative integer");
    const blob = decoded ?? Buffer.from(blobText, "base64");
    const partError = (why: string) =>
        new EcrException("InvalidLayerPartException", why, 400, {
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            uploadId: upload.id,
            lastValidByteReceived: upload.size - 1,
        });
    if (first !== upload.size) {
        throw partError(`The part's first byte ${first} does not follow the last byte received (${upload.size - 1}).`);
    }
    if (blob.length === 0 || last - first + 1 !== blob.length) {
        throw partError(`The part is ${blob.length} bytes but partFirstByte..partLastByte spans ${last - first + 1}.`);
    }
    ctx.store.appendUpload(upload.id, blob);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, uploadId: upload.id, lastByteReceived: last };
};

const CompleteLayerUpload: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = uploadFor(ctx, repo, input);
    const digests = layerDigestList(input);
    for (const d of digests) {
        if (!v.isDigest(d)) throw invalidParameter("layerDigests", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
    }
    if (upload.parts.length === 0) {
        throw new EcrException("EmptyUploadException", `The upload with id '${upload.id}' does not contain any layer parts`);
    }
    const small = upload.parts.slice(0, -1).findIndex((n) => n < MIN_PART_SIZE);
    if (small >= 0) {
        ctx.store.dropUpload(upload.id);
        throw new EcrException(
            "LayerPartTooSmallException",
            `Layer part ${small + 1} is ${upload.parts[small]} bytes; every part but the last must be at least ${MIN_PART_SIZE} bytes`,
        );
    }
    const actual = ctx.store.uploadDigest(upload.id);
    if (!digests.includes(actual)) {
        ctx.store.dropUpload(upload.id);
        throw new EcrException(
            "InvalidLayerException",
            `The layer digest calculation performed by Amazon ECR when the image layer was uploaded (${actual}) does not match the digest specified (${digests.join(", ")})`,
        );
    }
    if (repo.layers[actual]) {
        ctx.store.dropUpload(upload.id);
        throw new EcrException(
            "LayerAlreadyExistsException",
            `The layer with digest '${actual}' already exists in the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    const size = ctx.store.commitUpload(upload.id, actual);
    repo.layers[actual] = { size };
    ctx.store.saveRepository(repo);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, uploadId: upload.id, layerDigest: actual };
};

/** The signed, unauthenticated URL that serves a layer's bytes (like ECR's pre-signed S3 URL). */
export function downloadUrl(ctx: ApiContext, repository: string, digest: string): string {
    const expires = Date.now() + DOWNLOAD_URL_LIFETIME_MS;
    const sig = ctx.tokens.signDownload(repository, digest, expires);
    return `${ctx.config.url}/_layers/${encodeURIComponent(repository)}/${digest}?expires=${expires}&signature=${sig}`;
}

const GetDownloadUrlForLayer: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const digest = v.requireString(input, "layerDigest");
    if (!v.isDigest(digest)) throw invalidParameter("layerDigest", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
    if (!repo.layers[digest]) {
        throw new EcrException(
            "LayersNotFoundException",
            `The layer with digest '${digest}' does not exist in the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    return { downloadUrl: downloadUrl(ctx, repo.name, digest), layerDigest: digest };
};

/** Layer operations by name. */
export const layerOperations: OperationTable = {
    BatchCheckLayerAvailability,
    InitiateLayerUpload,
    UploadLayerPart,
    CompleteLayerUpload,
    GetDownloadUrlForLayer,
};

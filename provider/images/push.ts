/**
 * The upload pipeline shared by `Image` (blobs from files) and `ImageCopy` (blobs streamed from
 * another repository): skip what the repository already holds, upload the rest in the part size
 * ECR asks for, then put manifests. Nothing here buffers more than one part per blob in flight, so
 * memory does not grow with layer size.
 *
 * Order matters for interrupted pushes: blobs first, untagged manifests next, tags last. A push
 * killed half way leaves only layers (and perhaps untagged manifests) behind, never a tag on a
 * partial image, and the next run finds those layers with BatchCheckLayerAvailability.
 */
import {
    BatchCheckLayerAvailabilityCommand,
    CompleteLayerUploadCommand,
    type ECRClient,
    InitiateLayerUploadCommand,
    PutImageCommand,
    UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { EcrError, isA } from "../errors";

/** A blob to push: its digest and size, and a way to read all of its bytes from the start. */
export interface BlobSource {
    digest: string;
    size: number;
    mediaType?: string;
    /** The whole blob, sequentially; called once per upload attempt. */
    open(): Promise<NodeJS.ReadableStream>;
}

/** Progress of {@link pushBlobs}, reported after every part. */
export interface PushProgress {
    bytesUploaded: number;
    /** Bytes of the blobs that were missing from the repository (those to upload). */
    bytesTotal: number;
    layersUploaded: number;
    /** Blobs that were missing from the repository (those to upload). */
    layersTotal: number;
    /** Blobs the repository already held. */
    layersSkipped: number;
}

/** What {@link pushBlobs} did. */
export interface PushResult {
    bytesUploaded: number;
    layersUploaded: number;
    layersSkipped: number;
}

/** Where blobs and manifests go. */
export interface PushTarget {
    repositoryName: string;
    registryId?: string;
}

/** Options of {@link pushBlobs}. */
export interface PushOptions {
    /** Blobs uploaded at once. @default 4 */
    concurrency?: number;
    /** Called after every part (and once when the availability check is done). */
    onProgress?: (p: PushProgress) => void;
}

/** BatchCheckLayerAvailability takes at most 100 digests per call. */
const CHECK_BATCH = 100;
const DEFAULT_CONCURRENCY = 4;
/** Used only if ECR leaves `partSize` out of InitiateLayerUpload's answer. */
const FALLBACK_PART_SIZE = 10 * 1024 * 1024;

/** Which of `digests` the repository already holds. */
export async function availableBlobs(client: ECRClient, target: PushTarget, digests: string[]): Promise<Set<string>> {
    const have = new Set<string>();
    for (let i = 0; i < digests.length; i += CHECK_BATCH) {
        const batch = digests.slice(i, i + CHECK_BATCH);
        let out;
        try {
            out = await client.send(
                new BatchCheckLayerAvailabilityCommand({
                    repositoryName: target.repositoryName,
                    registryId: target.registryId,
                    layerDigests: batch,
                }),
            );
        } catch (e) {
            throw new EcrError("checking layers in", "Repository", target.repositoryName, e);
        }
        for (const l of out.layers ?? []) if (l.layerAvailability === "AVAILABLE" && l.layerDigest) have.add(l.layerDigest);
    }
    return have;
}

/**
 * Uploads every blob the repository lacks (BatchCheckLayerAvailability first, in batches of 100),
 * `concurrency` blobs at a time, each in parts of the size InitiateLayerUpload returns.
 * `LayerAlreadyExistsException` at completion means another writer won the race: success.
 */
export async function pushBlobs(client: ECRClient, target: PushTarget, blobs: BlobSource[], opts: PushOptions = {}): Promise<PushResult> {
    const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()];
    const have = await availableBlobs(
        client,
        target,
        unique.map((b) => b.digest),
    );
    const missing = unique.filter((b) => !have.has(b.digest));
    const progress: PushProgress = {
        bytesUploaded: 0,
        bytesTotal: missing.reduce((n, b) => n + b.size, 0),
        layersUploaded: 0,
        layersTotal: missing.length,
        layersSkipped: unique.length - missing.length,
    };
    const report = () => opts.onProgress?.({ ...progress });
    report();

    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
    let next = 0;
    let failed: unknown;
    const worker = async () => {
        while (failed === undefined && next < missing.length) {
            const blob = missing[next++];
            try {
                await uploadBlob(client, target, blob, (n) => {
                    progress.bytesUploaded += n;
                    report();
                });
                progress.layersUploaded++;
                report();
            } catch (e) {
                failed ??= e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, worker));
    if (failed !== undefined) throw failed;
    return { bytesUploaded: progress.bytesUploaded, layersUploaded: progress.layersUploaded, layersSkipped: progress.layersSkipped };
}

/** One blob: InitiateLayerUpload, UploadLayerPart per `partSize` bytes read from the stream, CompleteLayerUpload. */
async function uploadBlob(client: ECRClient, target: PushTarget, blob: BlobSource, onPart: (bytes: number) => void): Promise<void> {
    const action = `uploading layer ${blob.digest} to`;
    const fail = (e: unknown, hint?: string): never => {
        throw e instanceof EcrError ? e : new EcrError(action, "Repository", target.repositoryName, e, hint);
    };
    const base = { repositoryName: target.repositoryName, registryId: target.registryId };
    let uploadId: string;
    let partSize: number;
    try {
        const init = await client.send(new InitiateLayerUploadCommand(base));
        uploadId = init.uploadId!;
        partSize = init.partSize && init.partSize > 0 ? init.partSize : FALLBACK_PART_SIZE;
    } catch (e) {
        return fail(e);
    }

    let sent = 0;
    const sendPart = async (part: Buffer) => {
        try {
            await client.send(
                new UploadLayerPartCommand({
                    ...base,
                    uploadId,
                    partFirstByte: sent,
                    partLastByte: sent + part.length - 1,
                    layerPartBlob: part,
                }),
            );
        } catch (e) {
            fail(e);
        }
        sent += part.length;
        onPart(part.length);
    };

    // Collect chunks up to one part, send it, and only then read on: the stream waits meanwhile.
    const stream = await blob.open();
    let chunks: Buffer[] = [];
    let held = 0;
    try {
        for await (const c of stream as AsyncIterable<Buffer | string>) {
            let chunk = typeof c === "string" ? Buffer.from(c) : c;
            while (held + chunk.length >= partSize) {
                const take = partSize - held;
                chunks.push(chunk.subarray(0, take));
                chunk = chunk.subarray(take);
                const part = Buffer.concat(chunks, partSize);
                chunks = [];
                held = 0;
                await sendPart(part);
            }
            if (chunk.length) {
                chunks.push(chunk);
                held += chunk.length;
            }
        }
    } catch (e) {
        (stream as { destroy?: () => void }).destroy?.();
        if (e instanceof EcrError) throw e;
        fail(e, "the blob could not be read from its source");
    }
    if (held > 0) await sendPart(Buffer.concat(chunks, held));
    if (sent !== blob.size) {
        fail(
            new Error(`read ${sent} bytes, but the manifest says the blob is ${blob.size} bytes`),
            "the source changed while it was pushed; run `pulumi up` again",
        );
    }
    try {
        await client.send(new CompleteLayerUploadCommand({ ...base, uploadId, layerDigests: [blob.digest] }));
    } catch (e) {
        if (isA(e, "LayerAlreadyExistsException")) return; // another writer finished the same blob first
        fail(
            e,
            isA(e, "InvalidLayerException")
                ? "the bytes read do not match the digest; the source changed since `pulumi preview`"
                : undefined,
        );
    }
}

/**
 * PutImage with the manifest bytes unchanged and their media type, so the digest in ECR is the
 * sha256 of these bytes. Untagged with `digest` (the members of an index), or with `tag`.
 * `ImageAlreadyExistsException` (the same manifest, already under that tag or untagged) is success.
 * A tag held by another image in an IMMUTABLE repository fails with a message that names the tag,
 * the repository and the fix.
 */
export async function putManifest(
    client: ECRClient,
    target: PushTarget,
    manifest: Buffer,
    mediaType: string,
    opts: { tag?: string; digest?: string },
): Promise<void> {
    const text = manifest.toString("utf8");
    const id = `${target.repositoryName}${opts.tag ? `:${opts.tag}` : ""}${opts.digest ? `@${opts.digest}` : ""}`;
    if (!Buffer.from(text, "utf8").equals(manifest)) {
        throw new EcrError(
            "putting",
            "Image",
            id,
            new Error("the manifest is not valid UTF-8, so PutImage cannot carry its bytes unchanged"),
        );
    }
    try {
        await client.send(
            new PutImageCommand({
                repositoryName: target.repositoryName,
                registryId: target.registryId,
                imageManifest: text,
                imageManifestMediaType: mediaType,
                imageTag: opts.tag,
                imageDigest: opts.digest,
            }),
        );
    } catch (e) {
        if (isA(e, "ImageAlreadyExistsException")) return;
        if (isA(e, "ImageTagAlreadyExistsException")) {
            throw new EcrError(
                "putting",
                "Image",
                id,
                e,
                `tag "${opts.tag}" already points at another image in repository "${target.repositoryName}", whose tags are immutable; ` +
                    `use another tag, delete the old image first (for a replaced Image: the resource option \`deleteBeforeReplace: true\`), ` +
                    `or set the repository's imageTagMutability to "MUTABLE"`,
            );
        }
        throw new EcrError("putting", "Image", id, e);
    }
}

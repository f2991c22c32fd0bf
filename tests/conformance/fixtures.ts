/**
 * Test images built in the test itself: blobs, OCI manifests, and pushing them through the ECR
 * layer API (InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload) then PutImage, the way
 * the ECR proxy does it.
 */
import * as crypto from "node:crypto";
import {
    CompleteLayerUploadCommand,
    ECRClient,
    InitiateLayerUploadCommand,
    LayerAlreadyExistsException,
    PutImageCommand,
    UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
export const MiB = 1024 * 1024;

export function sha256(data: Buffer | string): string {
    return "sha256:" + crypto.createHash("sha256").update(data).digest("hex");
}

export function client(url: string, region = "us-east-1", maxAttempts?: number): ECRClient {
    return new ECRClient({
        endpoint: url,
        region,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    });
}

export interface Blob {
    digest: string;
    size: number;
    data: Buffer;
    mediaType: string;
}

export function blob(data: Buffer, mediaType: string): Blob {
    return { digest: sha256(data), size: data.length, data, mediaType };
}

/** A config blob whose content (and so digest) depends on `label`. */
export function configBlob(label: string): Blob {
    const config = { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, config: { Labels: { label } } };
    return blob(Buffer.from(JSON.stringify(config)), OCI_CONFIG);
}

export function randomLayer(size: number): Blob {
    return blob(crypto.randomBytes(size), OCI_LAYER);
}

/** A layer whose bytes depend only on `seed`, so two endpoints can be sent the very same image. */
export function seededLayer(seed: string, size: number): Blob {
    const out = Buffer.alloc(size);
    let block = crypto.createHash("sha256").update(seed).digest();
    for (let i = 0; i < size; i += block.length) {
        block.copy(out, i);
        block = crypto.createHash("sha256").update(block).digest();
    }
    return blob(out, OCI_LAYER);
}

/** An OCI image manifest over `config` and `layers`, serialised exactly once so its digest is known. */
export function ociManifest(config: Blob, layers: Blob[]): { text: string; digest: string; layersSize: number } {
    const text = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    });
    return { text, digest: sha256(text), layersSize: layers.reduce((n, l) => n + l.size, 0) };
}

/** Uploads one blob through the layer API in parts of `partSize`; an existing layer is fine. */
export async function uploadLayer(ecr: ECRClient, repositoryName: string, b: Blob, partSize = 5 * MiB): Promise<void> {
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    for (let first = 0; first < b.size; first += partSize) {
        const part = b.data.subarray(first, Math.min(first + partSize, b.size));
        await ecr.send(
            new UploadLayerPartCommand({
                repositoryName,
                uploadId,
                partFirstByte: first,
                partLastByte: first + part.length - 1,
                layerPartBlob: part,
            }),
        );
    }
    try {
        await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [b.digest] }));
    } catch (e) {
        if (!(e instanceof LayerAlreadyExistsException)) throw e;
    }
}

export interface PushedImage {
    digest: string;
    manifest: string;
    layersSize: number;
    config: Blob;
    layers: Blob[];
}

/**
 * Pushes a small image (the same bytes for the same `label`): its blobs through the layer API (unless `uploadBlobs` is false, for a
 * peer without layer operations), then its manifest with PutImage.
 */
export async function pushImage(
    ecr: ECRClient,
    repositoryName: string,
    opts: { tag?: string; label?: string; layerSize?: number; uploadBlobs?: boolean } = {},
): Promise<PushedImage> {
    const config = configBlob(opts.label ?? crypto.randomUUID());
    const size = opts.layerSize ?? 1024;
    const layers = [opts.label ? seededLayer(opts.label, size) : randomLayer(size)];
    if (opts.uploadBlobs !== false) {
        for (const b of [config, ...layers]) await uploadLayer(ecr, repositoryName, b);
    }
    const m = ociManifest(config, layers);
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest: m.text, imageTag: opts.tag }));
    return { digest: m.digest, manifest: m.text, layersSize: m.layersSize, config, layers };
}

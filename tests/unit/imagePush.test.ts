/**
 * The upload pipeline's contract, with an in-process ECR stand-in that records every call: parts
 * of exactly ECR's partSize over contiguous byte ranges, at most `concurrency` blobs in flight,
 * no read-ahead beyond one part per blob (memory does not grow with layer size), and the races ECR
 * reports as errors (LayerAlreadyExists, ImageAlreadyExists) treated as success.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { Readable } from "node:stream";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { type BlobSource, pushBlobs, putManifest } from "../../provider/images/push";

const PART = 1000;

interface Call {
    op: string;
    input: any;
}

/** A stand-in client: every blob missing, parts of PART bytes, optional errors by operation. */
function fakeEcr(opts: { have?: string[]; errors?: Record<string, Error>; onPart?: (input: any) => void } = {}) {
    const calls: Call[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let next = 0;
    const client = {
        send: async (command: { constructor: { name: string }; input: any }) => {
            const op = command.constructor.name.replace(/Command$/, "");
            calls.push({ op, input: command.input });
            await new Promise((r) => setImmediate(r));
            const err = opts.errors?.[op];
            switch (op) {
                case "BatchCheckLayerAvailability":
                    return {
                        layers: command.input.layerDigests
                            .filter((d: string) => opts.have?.includes(d))
                            .map((d: string) => ({ layerDigest: d, layerAvailability: "AVAILABLE" })),
                    };
                case "InitiateLayerUpload":
                    inFlight++;
                    maxInFlight = Math.max(maxInFlight, inFlight);
                    return { uploadId: `u${next++}`, partSize: PART };
                case "UploadLayerPart":
                    opts.onPart?.(command.input);
                    return {};
                case "CompleteLayerUpload":
                    inFlight--;
                    if (err) throw err;
                    return {};
                case "PutImage":
                    if (err) throw err;
                    return {};
            }
            throw new Error(`unexpected ${op}`);
        },
    } as unknown as ECRClient;
    return { client, calls, maxInFlight: () => maxInFlight };
}

/** A blob whose stream counts what has been read from it. */
function countedBlob(size: number, read: { n: number }): BlobSource {
    const data = crypto.randomBytes(size);
    return {
        digest: "sha256:" + crypto.createHash("sha256").update(data).digest("hex"),
        size,
        open: async () => {
            let pos = 0;
            return new Readable({
                highWaterMark: 256,
                read() {
                    if (pos >= size) return this.push(null);
                    const chunk = data.subarray(pos, pos + 256);
                    pos += chunk.length;
                    read.n += chunk.length;
                    this.push(chunk);
                },
            });
        },
    };
}

const named = (name: string) => Object.assign(new Error(name), { name });

describe("pushBlobs / putManifest", () => {
    it("sends parts of exactly ECR's partSize over contiguous ranges, never reading more than a part ahead", async () => {
        const read = { n: 0 };
        let sent = 0;
        const blob = countedBlob(PART * 7 + 123, read);
        const ecr = fakeEcr({
            onPart: (input) => {
                // When a part goes out, the reader holds at most that part plus the stream's small buffer.
                assert.ok(read.n - sent <= PART + 2 * 256, `read ${read.n}, sent ${sent}`);
                sent += input.layerPartBlob.length;
            },
        });
        const result = await pushBlobs(ecr.client, { repositoryName: "app" }, [blob]);
        const parts = ecr.calls.filter((c) => c.op === "UploadLayerPart").map((c) => c.input);
        assert.deepEqual(
            parts.map((p) => [p.partFirstByte, p.partLastByte]),
            [...Array.from({ length: 7 }, (_, i) => [i * PART, i * PART + PART - 1]), [7 * PART, 7 * PART + 122]],
        );
        assert.deepEqual(result, { bytesUploaded: blob.size, layersUploaded: 1, layersSkipped: 0 });
        assert.deepEqual(ecr.calls.find((c) => c.op === "CompleteLayerUpload")!.input.layerDigests, [blob.digest]);
    });

    it("skips blobs the repository has, uploads the rest at most `concurrency` at a time, each digest once", async () => {
        const read = { n: 0 };
        const blobs = Array.from({ length: 9 }, () => countedBlob(PART * 2, read));
        const ecr = fakeEcr({ have: [blobs[0].digest, blobs[1].digest] });
        const progress: number[] = [];
        const r = await pushBlobs(ecr.client, { repositoryName: "app" }, [...blobs, blobs[2]], {
            concurrency: 3,
            onProgress: (p) => progress.push(p.bytesUploaded),
        });
        assert.deepEqual(r, { bytesUploaded: 7 * 2 * PART, layersUploaded: 7, layersSkipped: 2 });
        assert.equal(ecr.maxInFlight(), 3);
        assert.equal(ecr.calls.filter((c) => c.op === "InitiateLayerUpload").length, 7);
        assert.equal(progress[progress.length - 1], 7 * 2 * PART);
    });

    it("checks availability in batches of 100", async () => {
        const blobs = Array.from({ length: 250 }, (_, i) => ({
            digest: `sha256:${i.toString(16).padStart(64, "0")}`,
            size: 1,
            open: async () => Readable.from([]),
        }));
        const ecr = fakeEcr({ have: blobs.map((b) => b.digest) });
        await pushBlobs(ecr.client, { repositoryName: "app" }, blobs);
        assert.deepEqual(
            ecr.calls.map((c) => c.input.layerDigests.length),
            [100, 100, 50],
        );
    });

    it("LayerAlreadyExistsException at completion is success: another writer finished the blob first", async () => {
        const ecr = fakeEcr({ errors: { CompleteLayerUpload: named("LayerAlreadyExistsException") } });
        const r = await pushBlobs(ecr.client, { repositoryName: "app" }, [countedBlob(10, { n: 0 })]);
        assert.equal(r.layersUploaded, 1);
    });

    it("a blob shorter than its descriptor fails in the one format before CompleteLayerUpload", async () => {
        const ecr = fakeEcr();
        const blob = { ...countedBlob(10, { n: 0 }), size: 11 };
        await assert.rejects(
            pushBlobs(ecr.client, { repositoryName: "app" }, [blob]),
            /^EcrError: uploading layer sha256:[0-9a-f]+ to ECR Repository \(app\): .*read 10 bytes.*Hint: the source changed/,
        );
        assert.equal(ecr.calls.filter((c) => c.op === "CompleteLayerUpload").length, 0);
    });

    it("putManifest passes the bytes unchanged with their media type; ImageAlreadyExistsException is success", async () => {
        const ecr = fakeEcr({ errors: { PutImage: named("ImageAlreadyExistsException") } });
        const manifest = Buffer.from('{ "schemaVersion": 2,\n  "x": "é" }');
        await putManifest(
            ecr.client,
            { repositoryName: "app", registryId: "000000000000" },
            manifest,
            "application/vnd.oci.image.manifest.v1+json",
            { tag: "v1" },
        );
        const put = ecr.calls.find((c) => c.op === "PutImage")!.input;
        assert.ok(Buffer.from(put.imageManifest, "utf8").equals(manifest));
        assert.equal(put.imageManifestMediaType, "application/vnd.oci.image.manifest.v1+json");
        assert.equal(put.imageTag, "v1");
        await assert.rejects(
            putManifest(
                ecr.client,
                { repositoryName: "app" },
                Buffer.from([0x7b, 0xff, 0x7d]),
                "application/vnd.oci.image.manifest.v1+json",
                { tag: "v1" },
            ),
            /not valid UTF-8/,
        );
    });
});

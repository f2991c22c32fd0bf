/**
 * The local endpoint's JSON API through @aws-sdk/client-ecr: typed exceptions, the layer upload
 * rules of the ECR reference, validation, pagination, manifest lists, and raw responses checked
 * against the SDK's own shapes. The conformance suite compares it with moto; this file covers
 * what moto cannot (layer operations) and the details the reference fixes.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import {
    MiB,
    blob,
    client,
    configBlob,
    ociManifest,
    pushImage,
    randomLayer,
    seededLayer,
    sha256,
    uploadLayer,
} from "../conformance/fixtures";
import { checkShape, errorSchema, fakeSigV4, rawCall, responseSchema } from "../conformance/sdk-shapes";
import { randomName } from "../helpers/names";

type ErrorClass = new (...args: never[]) => Error;

async function rejectsWith<T extends ErrorClass>(p: Promise<unknown>, cls: T): Promise<InstanceType<T>> {
    try {
        await p;
    } catch (e) {
        assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
        assert.equal((e as Error).name, cls.name);
        return e as InstanceType<T>;
    }
    assert.fail(`expected ${cls.name}, but the call succeeded`);
}

describe("local ECR endpoint: JSON API", function () {
    this.timeout(60_000);
    let ecr: LocalEcr;
    let sdk: c.ECRClient;

    beforeEach(async () => {
        ecr = await startLocalEcr();
        sdk = client(ecr.url, "us-east-1", 1);
    });
    afterEach(async () => {
        sdk?.destroy();
        await ecr?.stop();
    });

    async function repo(extra: Partial<c.CreateRepositoryCommandInput> = {}): Promise<string> {
        const name = randomName("api");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name, ...extra }));
        return name;
    }

    describe("layer uploads", () => {
        it("takes a layer in 5 MiB parts, verifies its digest, and serves exactly its bytes at the download URL", async () => {
            const name = await repo();
            const layer = randomLayer(12 * MiB + 123);
            await uploadLayer(sdk, name, layer, 5 * MiB);

            const check = await sdk.send(
                new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [layer.digest, sha256("other")] }),
            );
            assert.deepEqual(check.layers, [{ layerDigest: layer.digest, layerAvailability: "AVAILABLE", layerSize: layer.size }]);
            assert.deepEqual(check.failures, [
                { layerDigest: sha256("other"), failureCode: "MissingLayerDigest", failureReason: "Could not find layer" },
            ]);

            const { downloadUrl, layerDigest } = await sdk.send(
                new c.GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest: layer.digest }),
            );
            assert.equal(layerDigest, layer.digest);
            assert.ok(downloadUrl!.startsWith(`${ecr.url}/`), downloadUrl);
            const res = await fetch(downloadUrl!);
            assert.equal(res.status, 200);
            assert.ok(Buffer.from(await res.arrayBuffer()).equals(layer.data), "the download URL returns the layer's exact bytes");

            const forged = new URL(downloadUrl!);
            forged.searchParams.set("signature", "forged");
            assert.equal((await fetch(forged)).status, 403);
        });

        it("answers UploadLayerPart with the last byte received, and InvalidLayerPartException for a gap", async () => {
            const name = await repo();
            const { uploadId, partSize } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            assert.equal(partSize, 5 * MiB);
            const part = Buffer.alloc(5 * MiB, 1);
            const first = await sdk.send(
                new c.UploadLayerPartCommand({
                    repositoryName: name,
                    uploadId,
                    partFirstByte: 0,
                    partLastByte: part.length - 1,
                    layerPartBlob: part,
                }),
            );
            assert.equal(first.lastByteReceived, part.length - 1);
            assert.equal(first.uploadId, uploadId);
            const err = await rejectsWith(
                sdk.send(
                    new c.UploadLayerPartCommand({
                        repositoryName: name,
                        uploadId,
                        partFirstByte: part.length + 10,
                        partLastByte: part.length + 19,
                        layerPartBlob: Buffer.alloc(10),
                    }),
                ),
                c.InvalidLayerPartException,
            );
            assert.equal(err.lastValidByteReceived, part.length - 1);
            assert.equal(err.uploadId, uploadId);
        });

        it("refuses a part whose byte range does not match its length (InvalidLayerPartException)", async () => {
            const name = await repo();
            const { uploadId } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            await rejectsWith(
                sdk.send(
                    new c.UploadLayerPartCommand({
                        repositoryName: name,
                        uploadId,
                        partFirstByte: 0,
                        partLastByte: 99,
                        layerPartBlob: Buffer.alloc(10),
                    }),
                ),
                c.InvalidLayerPartException,
            );
        });

        it("rejects a non-final part under 5 MiB at CompleteLayerUpload (LayerPartTooSmallException)", async () => {
            const name = await repo();
            const layer = randomLayer(3 * MiB);
            await rejectsWith(uploadLayer(sdk, name, layer, 1 * MiB), c.LayerPartTooSmallException);
            const check = await sdk.send(new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [layer.digest] }));
            assert.equal(check.layers!.length, 0, "the layer was not stored");
        });

        it("accepts a single small part, since the last part may be any size", async () => {
            const name = await repo();
            const layer = randomLayer(100);
            await uploadLayer(sdk, name, layer);
            const check = await sdk.send(new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [layer.digest] }));
            assert.equal(check.layers![0].layerSize, 100);
        });

        it("is InvalidLayerException when the digest does not match the bytes, and LayerAlreadyExistsException the second time", async () => {
            const name = await repo();
            const layer = randomLayer(1000);
            const { uploadId } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            await sdk.send(
                new c.UploadLayerPartCommand({
                    repositoryName: name,
                    uploadId,
                    partFirstByte: 0,
                    partLastByte: 999,
                    layerPartBlob: layer.data,
                }),
            );
            await rejectsWith(
                sdk.send(new c.CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [sha256("not these bytes")] })),
                c.InvalidLayerException,
            );

            await uploadLayer(sdk, name, layer);
            const again = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            await sdk.send(
                new c.UploadLayerPartCommand({
                    repositoryName: name,
                    uploadId: again.uploadId,
                    partFirstByte: 0,
                    partLastByte: 999,
                    layerPartBlob: layer.data,
                }),
            );
            await rejectsWith(
                sdk.send(
                    new c.CompleteLayerUploadCommand({ repositoryName: name, uploadId: again.uploadId, layerDigests: [layer.digest] }),
                ),
                c.LayerAlreadyExistsException,
            );
        });

        it("is EmptyUploadException without parts and UploadNotFoundException for an unknown upload", async () => {
            const name = await repo();
            const { uploadId } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            await rejectsWith(
                sdk.send(new c.CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [sha256("")] })),
                c.EmptyUploadException,
            );
            await rejectsWith(
                sdk.send(
                    new c.UploadLayerPartCommand({
                        repositoryName: name,
                        uploadId: "nope",
                        partFirstByte: 0,
                        partLastByte: 0,
                        layerPartBlob: Buffer.alloc(1),
                    }),
                ),
                c.UploadNotFoundException,
            );
        });

        it("scopes layers to their repository (LayersNotFoundException elsewhere)", async () => {
            const a = await repo();
            const b = await repo();
            const layer = randomLayer(64);
            await uploadLayer(sdk, a, layer);
            await rejectsWith(
                sdk.send(new c.GetDownloadUrlForLayerCommand({ repositoryName: b, layerDigest: layer.digest })),
                c.LayersNotFoundException,
            );
        });
    });

    describe("images", () => {
        it("stores PutImage under the sha256 of the manifest bytes, sized by the manifest's layers", async () => {
            const name = await repo();
            const pushed = await pushImage(sdk, name, { tag: "v1", layerSize: 4321 });
            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
            assert.equal(d.imageDetails![0].imageDigest, sha256(pushed.manifest));
            assert.equal(d.imageDetails![0].imageSizeInBytes, 4321);
            const got = await sdk.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageDigest: pushed.digest }] }));
            assert.equal(got.images![0].imageManifest, pushed.manifest);
        });

        it("refuses manifests whose blobs were never uploaded (LayersNotFoundException)", async () => {
            const name = await repo();
            const m = ociManifest(configBlob("x"), [randomLayer(10)]);
            await rejectsWith(
                sdk.send(new c.PutImageCommand({ repositoryName: name, imageManifest: m.text, imageTag: "v1" })),
                c.LayersNotFoundException,
            );
        });

        it("applies IMMUTABLE_WITH_EXCLUSION: excluded tags move, others raise ImageTagAlreadyExistsException", async () => {
            const name = await repo({
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
            });
            await pushImage(sdk, name, { tag: "dev-1", label: "a" });
            await pushImage(sdk, name, { tag: "dev-1", label: "b" });
            await pushImage(sdk, name, { tag: "release", label: "a" });
            await rejectsWith(pushImage(sdk, name, { tag: "release", label: "b" }), c.ImageTagAlreadyExistsException);
        });

        it("is ImageAlreadyExistsException for the same manifest and tag, ImageDigestDoesNotMatchException for a wrong digest", async () => {
            const name = await repo();
            const pushed = await pushImage(sdk, name, { tag: "v1" });
            await rejectsWith(
                sdk.send(new c.PutImageCommand({ repositoryName: name, imageManifest: pushed.manifest, imageTag: "v1" })),
                c.ImageAlreadyExistsException,
            );
            await rejectsWith(
                sdk.send(
                    new c.PutImageCommand({
                        repositoryName: name,
                        imageManifest: pushed.manifest,
                        imageTag: "v2",
                        imageDigest: sha256("x"),
                    }),
                ),
                c.ImageDigestDoesNotMatchException,
            );
        });

        it("keeps manifest lists: children must exist, are protected from deletion, and size the list", async () => {
            const name = await repo();
            const a = await pushImage(sdk, name, { tag: "amd64", layerSize: 100 });
            const b = await pushImage(sdk, name, { tag: "arm64", layerSize: 300 });
            const index = (digests: string[]) =>
                JSON.stringify({
                    schemaVersion: 2,
                    mediaType: "application/vnd.oci.image.index.v1+json",
                    manifests: digests.map((d) => ({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d, size: 500 })),
                });
            await rejectsWith(
                sdk.send(
                    new c.PutImageCommand({ repositoryName: name, imageManifest: index([a.digest, sha256("missing")]), imageTag: "multi" }),
                ),
                c.ReferencedImagesNotFoundException,
            );
            await sdk.send(new c.PutImageCommand({ repositoryName: name, imageManifest: index([a.digest, b.digest]), imageTag: "multi" }));
            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "multi" }] }));
            assert.equal(d.imageDetails![0].imageSizeInBytes, 300);
            assert.equal(d.imageDetails![0].imageManifestMediaType, "application/vnd.oci.image.index.v1+json");
            const del = await sdk.send(new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageDigest: a.digest }] }));
            assert.equal(del.failures![0].failureCode, "ImageReferencedByManifestList");
        });

        it("pages DescribeImages through the SDK paginator, each image exactly once", async () => {
            const name = await repo();
            const pushed = [];
            for (let i = 0; i < 5; i++) pushed.push((await pushImage(sdk, name, { tag: `v${i}` })).digest);
            const seen: string[] = [];
            let pages = 0;
            for await (const page of c.paginateDescribeImages({ client: sdk, pageSize: 2 }, { repositoryName: name })) {
                pages++;
                assert.ok(page.imageDetails!.length <= 2);
                seen.push(...page.imageDetails!.map((i) => i.imageDigest!));
            }
            assert.equal(pages, 3);
            assert.deepEqual(seen.sort(), pushed.sort());
        });

        it("validates maxResults and nextToken as the reference constrains them", async () => {
            const name = await repo();
            await rejectsWith(sdk.send(new c.DescribeImagesCommand({ repositoryName: name, maxResults: 0 })), c.InvalidParameterException);
            await rejectsWith(sdk.send(new c.DescribeRepositoriesCommand({ maxResults: 1001 })), c.InvalidParameterException);
            await rejectsWith(
                sdk.send(new c.ListImagesCommand({ repositoryName: name, nextToken: "garbage" })),
                c.InvalidParameterException,
            );
            await rejectsWith(
                sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "x" }], maxResults: 5 })),
                c.InvalidParameterException,
            );
            await rejectsWith(
                sdk.send(new c.DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: "SOME" as c.TagStatus } })),
                c.InvalidParameterException,
            );
        });
    });

    describe("repositories", () => {
        it("raises the typed exceptions of the SDK", async () => {
            const name = await repo();
            await pushImage(sdk, name, { tag: "v1" });
            await rejectsWith(sdk.send(new c.DeleteRepositoryCommand({ repositoryName: name })), c.RepositoryNotEmptyException);
            await rejectsWith(
                sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "nope" }] })),
                c.ImageNotFoundException,
            );
            await rejectsWith(sdk.send(new c.GetRepositoryPolicyCommand({ repositoryName: name })), c.RepositoryPolicyNotFoundException);
            await rejectsWith(sdk.send(new c.DeleteLifecyclePolicyCommand({ repositoryName: name })), c.LifecyclePolicyNotFoundException);
            await rejectsWith(
                sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: ["no-such-repo"] })),
                c.RepositoryNotFoundException,
            );
            await rejectsWith(sdk.send(new c.CreateRepositoryCommand({ repositoryName: name })), c.RepositoryAlreadyExistsException);
            const deleted = await sdk.send(new c.DeleteRepositoryCommand({ repositoryName: name, force: true }));
            assert.equal(deleted.repository!.repositoryName, name);
        });

        it("uses <host:port>/<name> as repositoryUri, reachable by OCI clients", async () => {
            const name = await repo();
            const d = await sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }));
            assert.equal(d.repositories![0].repositoryUri, `${ecr.registryHost}/${name}`);
            const auth = await sdk.send(new c.GetAuthorizationTokenCommand({}));
            assert.equal(auth.authorizationData![0].proxyEndpoint, ecr.url);
        });

        it("limits tags to 50 and refuses the aws: prefix", async () => {
            const name = await repo();
            const arn = `arn:aws:ecr:us-east-1:000000000000:repository/${name}`;
            const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
            await rejectsWith(sdk.send(new c.TagResourceCommand({ resourceArn: arn, tags })), c.TooManyTagsException);
            await rejectsWith(
                sdk.send(new c.TagResourceCommand({ resourceArn: arn, tags: [{ Key: "aws:x", Value: "v" }] })),
                c.InvalidTagParameterException,
            );
        });

        it("refuses lifecycle policies the reference rejects", async () => {
            const name = await repo();
            const rule = (selection: object) =>
                JSON.stringify({
                    rules: [{ rulePriority: 1, description: "padding to reach the minimum length", selection, action: { type: "expire" } }],
                });
            await rejectsWith(
                sdk.send(
                    new c.PutLifecyclePolicyCommand({
                        repositoryName: name,
                        lifecyclePolicyText: rule({ tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 }),
                    }),
                ),
                c.InvalidParameterException,
            );
            await rejectsWith(
                sdk.send(
                    new c.PutLifecyclePolicyCommand({
                        repositoryName: name,
                        lifecyclePolicyText: rule({ tagStatus: "any", countType: "sinceImagePushed", countNumber: 1 }),
                    }),
                ),
                c.InvalidParameterException,
            );
            await sdk.send(
                new c.PutLifecyclePolicyCommand({
                    repositoryName: name,
                    lifecyclePolicyText: rule({ tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }),
                }),
            );
        });
    });

    describe("the wire format", () => {
        it("answers every operation with members and types the SDK's response shapes know", async () => {
            const name = randomName("wire");
            const call = async (op: string, body: object) => {
                const res = await rawCall(ecr.url, op, body);
                assert.equal(res.status, 200, `${op}: ${JSON.stringify(res.body)}`);
                assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.1");
                checkShape(res.body, responseSchema(op), op);
                return res.body as Record<string, any>;
            };
            const created = await call("CreateRepository", {
                repositoryName: name,
                tags: [{ Key: "k", Value: "v" }],
                imageTagMutability: "MUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "rel*" }],
                encryptionConfiguration: { encryptionType: "KMS" },
            });
            const arn = created.repository.repositoryArn;
            await call("DescribeRepositories", { repositoryNames: [name] });
            await call("DescribeRepositories", { maxResults: 1 });
            await call("PutImageTagMutability", { repositoryName: name, imageTagMutability: "MUTABLE" });
            await call("PutImageScanningConfiguration", { repositoryName: name, imageScanningConfiguration: { scanOnPush: true } });
            await call("TagResource", { resourceArn: arn, tags: [{ Key: "a", Value: "b" }] });
            await call("UntagResource", { resourceArn: arn, tagKeys: ["a"] });
            await call("ListTagsForResource", { resourceArn: arn });
            const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*" }] });
            await call("SetRepositoryPolicy", { repositoryName: name, policyText: policy });
            await call("GetRepositoryPolicy", { repositoryName: name });
            await call("DeleteRepositoryPolicy", { repositoryName: name });
            const lifecycle = JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 3 },
                        action: { type: "expire" },
                    },
                ],
            });
            await call("PutLifecyclePolicy", { repositoryName: name, lifecyclePolicyText: lifecycle });
            await call("GetLifecyclePolicy", { repositoryName: name });
            await call("DeleteLifecyclePolicy", { repositoryName: name });
            await call("GetAuthorizationToken", {});

            const config = configBlob("wire");
            const layer = seededLayer("wire", 2048);
            const init = await call("InitiateLayerUpload", { repositoryName: name });
            await call("UploadLayerPart", {
                repositoryName: name,
                uploadId: init.uploadId,
                partFirstByte: 0,
                partLastByte: layer.size - 1,
                layerPartBlob: layer.data.toString("base64"),
            });
            await call("CompleteLayerUpload", { repositoryName: name, uploadId: init.uploadId, layerDigests: [layer.digest] });
            await uploadLayer(sdk, name, config);
            await call("BatchCheckLayerAvailability", { repositoryName: name, layerDigests: [layer.digest, sha256("missing")] });
            await call("GetDownloadUrlForLayer", { repositoryName: name, layerDigest: layer.digest });
            const m = ociManifest(config, [layer]);
            await call("PutImage", { repositoryName: name, imageManifest: m.text, imageTag: "v1" });
            await call("DescribeImages", { repositoryName: name });
            await call("DescribeImages", { repositoryName: name, imageIds: [{ imageTag: "v1" }] });
            await call("ListImages", { repositoryName: name, maxResults: 1 });
            await call("BatchGetImage", { repositoryName: name, imageIds: [{ imageTag: "v1" }, { imageTag: "zz" }] });
            await call("BatchDeleteImage", { repositoryName: name, imageIds: [{ imageTag: "v1" }, {}] });
            await call("DeleteRepository", { repositoryName: name, force: true });
        });

        it("renders errors as __type + message with x-amzn-ErrorType, fields included", async () => {
            const res = await rawCall(ecr.url, "DescribeRepositories", { repositoryNames: ["no-such-repo"] });
            assert.equal(res.status, 400);
            assert.equal(res.body.__type, "RepositoryNotFoundException");
            assert.match(String(res.body.message), /no-such-repo/);
            assert.equal(res.headers.get("x-amzn-errortype"), "RepositoryNotFoundException");

            const name = await repo();
            const { uploadId } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            const gap = await rawCall(ecr.url, "UploadLayerPart", {
                repositoryName: name,
                uploadId,
                partFirstByte: 5,
                partLastByte: 5,
                layerPartBlob: "AA==",
            });
            assert.equal(gap.body.__type, "InvalidLayerPartException");
            checkShape(gap.body, errorSchema("InvalidLayerPartException"));
        });

        it("requires a well-formed SigV4 Authorization header", async () => {
            const signed = fakeSigV4();
            const cases: [Record<string, string>, number, string][] = [
                [{}, 400, "MissingAuthenticationTokenException"],
                [{ Authorization: "Bearer abc", "X-Amz-Date": signed["X-Amz-Date"] }, 400, "IncompleteSignatureException"],
                [
                    { Authorization: signed.Authorization.replace(/, Signature=.*$/, ""), "X-Amz-Date": signed["X-Amz-Date"] },
                    400,
                    "IncompleteSignatureException",
                ],
                [{ Authorization: signed.Authorization }, 400, "IncompleteSignatureException"],
                [{ ...signed, Authorization: signed.Authorization.replace("/ecr/", "/s3/") }, 403, "InvalidSignatureException"],
                [fakeSigV4("us-east-1", new Date(Date.now() - 3600_000)), 403, "InvalidSignatureException"],
            ];
            for (const [headers, status, type] of cases) {
                const res = await rawCall(ecr.url, "DescribeRepositories", {}, headers);
                assert.equal(res.status, status, JSON.stringify(headers));
                assert.equal(res.body.__type, type, JSON.stringify(headers));
            }
            assert.equal((await rawCall(ecr.url, "DescribeRepositories", {}, signed)).status, 200);
        });

        it("refuses requests signed for another region", async () => {
            const other = client(ecr.url, "eu-west-1", 1);
            const err = await other.send(new c.DescribeRepositoriesCommand({})).then(
                () => assert.fail("expected InvalidSignatureException"),
                (e: Error) => e,
            );
            assert.equal(err.name, "InvalidSignatureException");
            other.destroy();
        });

        it("answers an unknown operation with UnknownOperationException", async () => {
            for (const op of ["LaunchRockets", "toString", "constructor", "__proto__"]) {
                const res = await rawCall(ecr.url, op, {});
                assert.equal(res.status, 400, op);
                assert.equal(res.body.__type, "UnknownOperationException", op);
            }
        });
    });

    it("keeps blob() digests consistent with the bytes", () => {
        const b = blob(Buffer.from("abc"), "x");
        assert.equal(b.digest, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
});

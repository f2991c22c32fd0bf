/**
 * ImageCopy through its provider methods: across regions (two local endpoints, each serving one
 * region, behind a router that sends each request where it is signed for) and within one
 * endpoint. Every copied blob is read back from the destination and compared byte for byte.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import * as imageCopy from "../../provider/images/imageCopy";
import { type Blob, MiB, OCI_MANIFEST, client, configBlob, ociManifest, randomLayer, sha256, uploadLayer } from "../conformance/fixtures";
import { useEndpoint } from "../helpers/moto";
import { randomName } from "../helpers/names";
import { type RegionRouter, startRegionRouter } from "../helpers/regionRouter";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

interface Platform {
    digest: string;
    manifest: string;
    blobs: Blob[];
}
interface MultiImage {
    digest: string;
    text: string;
    amd: Platform;
    arm: Platform;
    /** Every distinct blob of both platforms. */
    blobs: Blob[];
}

/** One platform image: a config and `layers`, uploaded, and its manifest put untagged. */
async function pushPlatform(sdk: c.ECRClient, repositoryName: string, label: string, layers: Blob[]): Promise<Platform> {
    const config = configBlob(label);
    for (const b of [config, ...layers]) await uploadLayer(sdk, repositoryName, b);
    const m = ociManifest(config, layers);
    await sdk.send(new c.PutImageCommand({ repositoryName, imageManifest: m.text, imageManifestMediaType: OCI_MANIFEST }));
    return { digest: m.digest, manifest: m.text, blobs: [config, ...layers] };
}

/** A two-platform OCI index whose platforms share one 6 MiB layer (two parts) and each have their own, plus an attestation for arm64. */
async function pushMulti(sdk: c.ECRClient, repositoryName: string, tag: string): Promise<MultiImage> {
    const shared = randomLayer(6 * MiB + 17);
    const amd = await pushPlatform(sdk, repositoryName, `amd-${tag}`, [shared, randomLayer(300_000)]);
    const arm = await pushPlatform(sdk, repositoryName, `arm-${tag}`, [shared, randomLayer(200_000)]);
    const attestation = await pushPlatform(sdk, repositoryName, `att-${tag}`, [randomLayer(1000)]);
    const entry = (p: Platform, platform: object, annotations?: object) => ({
        mediaType: OCI_MANIFEST,
        digest: p.digest,
        size: Buffer.byteLength(p.manifest),
        platform,
        ...(annotations ? { annotations } : {}),
    });
    const text = JSON.stringify(
        {
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [
                entry(amd, { os: "linux", architecture: "amd64" }),
                entry(arm, { os: "linux", architecture: "arm64", variant: "v8" }),
                entry(
                    attestation,
                    { os: "unknown", architecture: "unknown" },
                    {
                        "vnd.docker.reference.type": "attestation-manifest",
                        "vnd.docker.reference.digest": arm.digest,
                    },
                ),
            ],
        },
        null,
        3, // pretty-printed on purpose: the copy must keep these exact bytes
    );
    await sdk.send(new c.PutImageCommand({ repositoryName, imageManifest: text, imageManifestMediaType: OCI_INDEX, imageTag: tag }));
    const blobs = [...new Map([...amd.blobs, ...arm.blobs, ...attestation.blobs].map((b) => [b.digest, b])).values()];
    return { digest: sha256(text), text, amd, arm, blobs };
}

/** Reads a blob back from `sdk`'s repository through GetDownloadUrlForLayer. */
async function download(sdk: c.ECRClient, repositoryName: string, digest: string): Promise<Buffer> {
    const { downloadUrl } = await sdk.send(new c.GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: digest }));
    const res = await fetch(downloadUrl!);
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
}

async function createCopy(args: Record<string, unknown>) {
    const { inputs, failures } = await imageCopy.check({}, args);
    assert.deepEqual(failures, []);
    return { inputs: inputs as imageCopy.ImageCopyInputs, ...(await imageCopy.create(inputs as imageCopy.ImageCopyInputs)) };
}

async function tagsOf(sdk: c.ECRClient, repositoryName: string, digest: string): Promise<string[] | undefined> {
    try {
        const out = await sdk.send(new c.DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: digest }] }));
        return [...(out.imageDetails?.[0]?.imageTags ?? [])].sort();
    } catch (e) {
        if (e instanceof c.ImageNotFoundException) return undefined;
        throw e;
    }
}

describe("ImageCopy", function () {
    this.timeout(120_000);
    let east: LocalEcr;
    let west: LocalEcr;
    let router: RegionRouter;
    let restore: () => void;
    let eastSdk: c.ECRClient;
    let westSdk: c.ECRClient;
    let multi: MultiImage;
    const src = randomName("src");

    before(async () => {
        east = await startLocalEcr({ port: 0, region: "us-east-1" });
        west = await startLocalEcr({ port: 0, region: "eu-west-1", accountId: "222222222222" }); // another account, too
        router = await startRegionRouter({ "us-east-1": east.url, "eu-west-1": west.url });
        restore = useEndpoint(router.url);
        resetClients();
        eastSdk = client(east.url, "us-east-1");
        westSdk = client(west.url, "eu-west-1");
        await eastSdk.send(new c.CreateRepositoryCommand({ repositoryName: src }));
        multi = await pushMulti(eastSdk, src, "1.4.2");
    });
    after(async () => {
        resetClients();
        restore?.();
        eastSdk?.destroy();
        westSdk?.destroy();
        await router?.stop();
        await east?.stop();
        await west?.stop();
    });

    async function westRepo(): Promise<string> {
        const name = randomName("mirror");
        await westSdk.send(new c.CreateRepositoryCommand({ repositoryName: name }));
        return name;
    }

    it("copies every platform of an index to another region: same bytes, same digest, every blob byte for byte", async () => {
        const dst = await westRepo();
        const { id, outs } = await createCopy({
            source: { repository: src, imageTag: "1.4.2", region: "us-east-1" },
            destination: { repository: dst, tags: ["1.4.2", "latest"], region: "eu-west-1" },
        });
        assert.equal(id, `${dst}@eu-west-1`);
        assert.equal(outs.imageDigest, multi.digest);
        assert.equal(outs.sourceDigest, multi.digest);
        assert.equal(outs.imageUri, `${west.registryHost}/${dst}@${multi.digest}`);
        assert.deepEqual(outs.tags, ["1.4.2", "latest"]);
        assert.equal(outs.layersCopied, multi.blobs.length, "the shared layer is uploaded once");
        assert.equal(
            outs.bytesCopied,
            multi.blobs.reduce((n, b) => n + b.size, 0),
        );

        const got = await westSdk.send(
            new c.BatchGetImageCommand({ repositoryName: dst, imageIds: [{ imageTag: "latest" }], acceptedMediaTypes: [OCI_INDEX] }),
        );
        assert.equal(got.images?.[0]?.imageManifest, multi.text, "the index bytes are unchanged");
        assert.deepEqual(await tagsOf(westSdk, dst, multi.digest), ["1.4.2", "latest"]);
        for (const b of multi.blobs) assert.ok((await download(westSdk, dst, b.digest)).equals(b.data), `blob ${b.digest} differs`);
        assert.ok((router.routed()["eu-west-1"] ?? 0) > 0 && (router.routed()["us-east-1"] ?? 0) > 0, "both regions were used");
    });

    it("copies into another account's registry named by `registryId`, and deletes there", async () => {
        const dst = await westRepo();
        const { id, outs } = await createCopy({
            source: { repository: src, imageTag: "1.4.2", region: "us-east-1", registryId: "000000000000" },
            destination: { repository: dst, tags: ["x"], region: "eu-west-1", registryId: "222222222222" },
        });
        assert.equal(outs.imageDigest, multi.digest);
        assert.deepEqual(await tagsOf(westSdk, dst, multi.digest), ["x"]);
        const repo = await westSdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: [dst] }));
        assert.equal(repo.repositories?.[0]?.registryId, "222222222222");
        await imageCopy.delete(id, outs);
        assert.equal(await tagsOf(westSdk, dst, multi.digest), undefined);
    });

    it("skips every layer the destination already holds (a second copy uploads 0 bytes)", async () => {
        const dst = await westRepo();
        await createCopy({
            source: { repository: src, imageDigest: multi.digest, region: "us-east-1" },
            destination: { repository: dst, region: "eu-west-1" },
        });
        const again = await createCopy({
            source: { repository: src, imageTag: "1.4.2", region: "us-east-1" },
            destination: { repository: dst, tags: ["again"], region: "eu-west-1" },
        });
        assert.equal(again.outs.bytesCopied, 0);
        assert.equal(again.outs.layersCopied, 0);
        assert.equal(again.outs.layersSkipped, multi.blobs.length);
        assert.deepEqual(await tagsOf(westSdk, dst, multi.digest), ["again"]);
    });

    it("narrows an index to `platforms`: a deterministic index with the matching entries and their attestations", async () => {
        const dst = await westRepo();
        const args = {
            source: { repository: src, imageTag: "1.4.2", region: "us-east-1" },
            destination: { repository: dst, tags: ["arm"], region: "eu-west-1" },
            platforms: ["linux/arm64"],
        };
        const { outs } = await createCopy(args);
        const doc = JSON.parse(multi.text);
        const expected = JSON.stringify({ ...doc, manifests: doc.manifests.slice(1) });
        assert.equal(outs.imageDigest, sha256(expected), "the narrowed index is the source with only the kept entries, as compact JSON");
        assert.equal(outs.sourceDigest, multi.digest);
        const got = await westSdk.send(
            new c.BatchGetImageCommand({ repositoryName: dst, imageIds: [{ imageTag: "arm" }], acceptedMediaTypes: [OCI_INDEX] }),
        );
        assert.equal(got.images?.[0]?.imageManifest, expected);
        assert.equal(await tagsOf(westSdk, dst, multi.amd.digest), undefined, "the amd64 manifest was not copied");
        const amdOnly = multi.amd.blobs.filter((b) => !multi.arm.blobs.some((a) => a.digest === b.digest));
        const avail = await westSdk.send(
            new c.BatchCheckLayerAvailabilityCommand({ repositoryName: dst, layerDigests: amdOnly.map((b) => b.digest) }),
        );
        assert.deepEqual(avail.layers ?? [], [], "no amd64-only blob was copied");

        // The same source and platforms give the same digest again: nothing is re-uploaded.
        const again = await createCopy({ ...args, destination: { ...args.destination, tags: ["arm2"] } });
        assert.equal(again.outs.imageDigest, outs.imageDigest);
        assert.equal(again.outs.bytesCopied, 0);
    });

    it("fails when `platforms` matches nothing, naming the platforms the index has; nothing is tagged", async () => {
        const dst = await westRepo();
        await assert.rejects(
            createCopy({
                source: { repository: src, imageTag: "1.4.2", region: "us-east-1" },
                destination: { repository: dst, tags: ["x"], region: "eu-west-1" },
                platforms: ["windows/amd64"],
            }),
            (e: Error) => {
                assert.match(
                    e.message,
                    /^creating ECR Image Copy .*matches platforms \["windows\/amd64"\]; the index has \["linux\/amd64","linux\/arm64\/v8"\]/,
                );
                return true;
            },
        );
        const listed = await westSdk.send(new c.ListImagesCommand({ repositoryName: dst }));
        assert.deepEqual(listed.imageIds ?? [], []);
    });

    it("fails clearly when the source image does not exist", async () => {
        const dst = await westRepo();
        await assert.rejects(
            createCopy({
                source: { repository: src, imageTag: "nope", region: "us-east-1" },
                destination: { repository: dst, region: "eu-west-1" },
            }),
            (e: Error) => {
                assert.match(
                    e.message,
                    new RegExp(`^creating ECR Image Copy \\(${dst}@eu-west-1\\): NotFoundError: .*has no image tagged "nope"`),
                );
                assert.match(e.message, /Hint: push the source image first, or fix `source`/);
                return true;
            },
        );
    });

    describe("within one endpoint", () => {
        let a: string;
        let b: string;
        before(async () => {
            a = randomName("one");
            b = randomName("two");
            for (const n of [a, b]) await eastSdk.send(new c.CreateRepositoryCommand({ repositoryName: n }));
        });

        it("copies a single-platform image, updates tags in place, follows its source tag, and deletes what it made", async () => {
            const v1 = await pushPlatform(eastSdk, a, "single-v1", [randomLayer(5000)]);
            await eastSdk.send(new c.PutImageCommand({ repositoryName: a, imageManifest: v1.manifest, imageTag: "v" }));
            const base = {
                source: { repository: a, imageTag: "v", region: "us-east-1" },
                destination: { repository: b, tags: ["one"], region: "us-east-1" },
            };
            const { id, outs, inputs } = await createCopy(base);
            assert.equal(outs.imageDigest, v1.digest);
            assert.deepEqual(await tagsOf(eastSdk, b, v1.digest), ["one"]);
            assert.equal((await imageCopy.diff(id, outs, inputs)).changes, false, "no change right after create");

            // Tags change in place: "two" added, "one" dropped.
            const retagged = (await imageCopy.check({}, { ...base, destination: { ...base.destination, tags: ["two"] } }))
                .inputs as imageCopy.ImageCopyInputs;
            const d = await imageCopy.diff(id, outs, retagged);
            assert.deepEqual([d.changes, d.replaces], [true, []]);
            const up = await imageCopy.update(id, outs, retagged);
            assert.deepEqual(await tagsOf(eastSdk, b, v1.digest), ["two"]);
            assert.equal(up.outs.bytesCopied, outs.bytesCopied, "a tag change copies nothing");

            // Out of band: the tag is moved away; read drops it and diff puts it back.
            const stranger = await pushPlatform(eastSdk, b, "stranger", [randomLayer(100)]);
            await eastSdk.send(new c.PutImageCommand({ repositoryName: b, imageManifest: stranger.manifest, imageTag: "two" }));
            const seen = await imageCopy.read(id, up.outs);
            assert.deepEqual(seen.props.tags, []);
            assert.equal((await imageCopy.diff(id, seen.props, retagged)).changes, true);
            const fixed = await imageCopy.update(id, seen.props, retagged);
            assert.deepEqual(await tagsOf(eastSdk, b, v1.digest), ["two"]);

            // The source tag moves: diff sees it, update copies the new image, moves the tag, and drops the old copy.
            const v2 = await pushPlatform(eastSdk, a, "single-v2", [randomLayer(7000)]);
            await eastSdk.send(new c.PutImageCommand({ repositoryName: a, imageManifest: v2.manifest, imageTag: "v" }));
            assert.equal((await imageCopy.diff(id, fixed.outs, retagged)).changes, true);
            const followed = await imageCopy.update(id, fixed.outs, retagged);
            assert.equal(followed.outs.imageDigest, v2.digest);
            assert.equal(followed.outs.layersCopied, 2, "the new config and layer");
            assert.deepEqual(await tagsOf(eastSdk, b, v2.digest), ["two"]);
            assert.equal(await tagsOf(eastSdk, b, v1.digest), undefined, "the old copy is gone");

            // Delete: the tag and the manifest go; the stranger's image stays.
            await imageCopy.delete(id, followed.outs);
            assert.equal(await tagsOf(eastSdk, b, v2.digest), undefined);
            assert.deepEqual(await tagsOf(eastSdk, b, stranger.digest), []);
            assert.equal((await imageCopy.read(id, followed.outs)).id, "", "read sees it gone");
            await imageCopy.delete(id, followed.outs); // deleting again is done
        });

        it("delete keeps the manifest when another tag points at it, and removes an index with its untagged platform manifests", async () => {
            const dst = randomName("three");
            await eastSdk.send(new c.CreateRepositoryCommand({ repositoryName: dst }));
            const { id, outs } = await createCopy({
                source: { repository: src, imageDigest: multi.digest, region: "us-east-1" },
                destination: { repository: dst, tags: ["mine"], region: "us-east-1" },
            });
            await eastSdk.send(
                new c.PutImageCommand({
                    repositoryName: dst,
                    imageManifest: multi.text,
                    imageManifestMediaType: OCI_INDEX,
                    imageTag: "theirs",
                }),
            );
            await imageCopy.delete(id, outs);
            assert.deepEqual(await tagsOf(eastSdk, dst, multi.digest), ["theirs"], "only our tag went");

            const second = await createCopy({
                source: { repository: src, imageDigest: multi.digest, region: "us-east-1" },
                destination: { repository: dst, tags: ["mine"], region: "us-east-1" },
            });
            await eastSdk.send(new c.BatchDeleteImageCommand({ repositoryName: dst, imageIds: [{ imageTag: "theirs" }] }));
            await imageCopy.delete(second.id, second.outs);
            const left = await eastSdk.send(new c.ListImagesCommand({ repositoryName: dst }));
            assert.deepEqual(left.imageIds ?? [], [], "the index and its platform manifests are gone");
        });
    });
});

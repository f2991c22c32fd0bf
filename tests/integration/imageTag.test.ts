/**
 * ImageTag through its provider methods against the local endpoint (every manifest media type,
 * immutable repositories, out-of-band moves, delete keeping the image), and the calls moto has.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import * as imageTag from "../../provider/images/imageTag";
import { client, pushImage } from "../conformance/fixtures";
import { startMoto, useEndpoint, type Endpoint } from "../helpers/moto";
import { randomName } from "../helpers/names";

const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** check() then create(), as the engine does. */
async function createTag(args: Record<string, unknown>) {
    const { inputs, failures } = await imageTag.check({}, { region: "us-east-1", ...args });
    assert.deepEqual(failures, []);
    return imageTag.create(inputs as imageTag.ImageTagInputs);
}

/** The digest the tag points at, or undefined. */
async function tagDigest(sdk: c.ECRClient, repositoryName: string, tag: string): Promise<string | undefined> {
    const out = await sdk.send(new c.BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return out.images?.[0]?.imageId?.imageDigest;
}

/** Pushes two platform images and an index over them with `mediaType`; returns the index digest. */
async function pushIndex(
    sdk: c.ECRClient,
    repositoryName: string,
    mediaType: string,
    tag?: string,
): Promise<{ digest: string; text: string }> {
    const amd = await pushImage(sdk, repositoryName, { label: `amd-${repositoryName}` });
    const arm = await pushImage(sdk, repositoryName, { label: `arm-${repositoryName}` });
    const childType = "application/vnd.oci.image.manifest.v1+json";
    const text = JSON.stringify({
        schemaVersion: 2,
        mediaType,
        manifests: [
            {
                mediaType: childType,
                digest: amd.digest,
                size: Buffer.byteLength(amd.manifest),
                platform: { os: "linux", architecture: "amd64" },
            },
            {
                mediaType: childType,
                digest: arm.digest,
                size: Buffer.byteLength(arm.manifest),
                platform: { os: "linux", architecture: "arm64", variant: "v8" },
            },
        ],
    });
    const out = await sdk.send(
        new c.PutImageCommand({ repositoryName, imageManifest: text, imageManifestMediaType: mediaType, imageTag: tag }),
    );
    return { digest: out.image!.imageId!.imageDigest!, text };
}

describe("ImageTag (local endpoint)", function () {
    this.timeout(60_000);
    let ecr: LocalEcr;
    let sdk: c.ECRClient;
    let restore: () => void;

    before(async () => {
        ecr = await startLocalEcr({ port: 0 });
        restore = useEndpoint(ecr.url);
        resetClients();
        sdk = client(ecr.url);
    });
    after(async () => {
        resetClients();
        restore?.();
        sdk?.destroy();
        await ecr?.stop();
    });

    async function repo(mutability: "MUTABLE" | "IMMUTABLE" = "MUTABLE"): Promise<string> {
        const name = randomName("tag");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));
        return name;
    }

    it("points a new tag at the source tag's image with the same manifest bytes, and reports digest and URI", async () => {
        const name = await repo();
        const img = await pushImage(sdk, name, { tag: "1.4.2" });
        const { id, outs } = await createTag({ repository: name, sourceTag: "1.4.2", tag: "prod" });
        assert.equal(id, `${name}:prod`);
        assert.equal(outs.imageDigest, img.digest);
        assert.equal(outs.imageUri, `${ecr.registryHost}/${name}@${img.digest}`);
        const got = await sdk.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "prod" }] }));
        assert.equal(got.images?.[0]?.imageManifest, img.manifest, "the tag carries the source's exact manifest bytes");
        const described = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageDigest: img.digest }] }));
        assert.deepEqual([...described.imageDetails![0].imageTags!].sort(), ["1.4.2", "prod"]);
    });

    for (const mediaType of [OCI_INDEX, DOCKER_LIST]) {
        it(`tags a multi-platform ${mediaType === OCI_INDEX ? "OCI index" : "Docker manifest list"} by digest, keeping its media type`, async () => {
            const name = await repo();
            const index = await pushIndex(sdk, name, mediaType, "multi");
            const { outs } = await createTag({ repository: name, sourceDigest: index.digest, tag: "stable" });
            assert.equal(outs.imageDigest, index.digest);
            const got = await sdk.send(
                new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "stable" }], acceptedMediaTypes: [mediaType] }),
            );
            assert.equal(got.images?.[0]?.imageManifestMediaType, mediaType);
            assert.equal(got.images?.[0]?.imageManifest, index.text);
        });
    }

    it("is idempotent when the tag already points there, even in an IMMUTABLE repository", async () => {
        const name = await repo("IMMUTABLE");
        const img = await pushImage(sdk, name, { tag: "1.0" });
        await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        const again = await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        assert.equal(again.outs.imageDigest, img.digest);
    });

    it("fails on an IMMUTABLE repository when the tag points elsewhere, naming the tag, the repository and the fix", async () => {
        const name = await repo("IMMUTABLE");
        await pushImage(sdk, name, { tag: "1.0" });
        const other = await pushImage(sdk, name, { tag: "prod" });
        await assert.rejects(createTag({ repository: name, sourceTag: "1.0", tag: "prod" }), (e: Error) => {
            assert.match(e.message, new RegExp(`^creating ECR Image Tag \\(${name}:prod\\): ImageTagAlreadyExistsException`));
            assert.match(e.message, new RegExp(`tag "prod" already points at another image in repository "${name}"`));
            assert.match(e.message, /imageTagMutability to "MUTABLE"/);
            return true;
        });
        assert.equal(await tagDigest(sdk, name, "prod"), other.digest, "nothing changed");
    });

    it("fails clearly when the source does not exist", async () => {
        const name = await repo();
        await assert.rejects(createTag({ repository: name, sourceTag: "nope", tag: "prod" }), (e: Error) => {
            assert.match(e.message, /^creating ECR Image Tag .*has no image tagged "nope".*Hint: push the source image first/);
            return true;
        });
    });

    it("read sees the tag moved out of band (diff then re-points it) and deleted out of band (gone)", async () => {
        const name = await repo();
        const img = await pushImage(sdk, name, { tag: "1.0" });
        const { id, outs } = await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        const moved = await pushImage(sdk, name, { tag: "prod" });

        const read = await imageTag.read(id, outs);
        assert.equal(read.id, id);
        assert.equal(read.props.imageDigest, moved.digest);
        const { inputs } = await imageTag.check({}, { region: "us-east-1", repository: name, sourceTag: "1.0", tag: "prod" });
        const d = await imageTag.diff(id, read.props, inputs as imageTag.ImageTagInputs);
        assert.equal(d.changes, true);
        assert.deepEqual(d.replaces, []);
        const updated = await imageTag.update(id, read.props, inputs as imageTag.ImageTagInputs);
        assert.equal(updated.outs.imageDigest, img.digest);
        assert.equal(await tagDigest(sdk, name, "prod"), img.digest);
        const noDiff = await imageTag.diff(id, updated.outs, inputs as imageTag.ImageTagInputs);
        assert.equal(noDiff.changes, false);

        await sdk.send(new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "prod" }] }));
        assert.equal((await imageTag.read(id, updated.outs)).id, "");
    });

    it("follows its source tag: when the source tag moves, diff reports a change", async () => {
        const name = await repo();
        await pushImage(sdk, name, { tag: "release" });
        const { id, outs } = await createTag({ repository: name, sourceTag: "release", tag: "prod" });
        await pushImage(sdk, name, { tag: "release" });
        const { inputs } = await imageTag.check({}, { region: "us-east-1", repository: name, sourceTag: "release", tag: "prod" });
        assert.equal((await imageTag.diff(id, outs, inputs as imageTag.ImageTagInputs)).changes, true);
    });

    it("delete removes only its tag; the image stays, even when the tag was its only one", async () => {
        const name = await repo();
        const tagged = await pushImage(sdk, name, { tag: "1.0" });
        const a = await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        await imageTag.delete(a.id, a.outs);
        assert.equal(await tagDigest(sdk, name, "prod"), undefined);
        assert.equal(await tagDigest(sdk, name, "1.0"), tagged.digest);

        const untagged = await pushImage(sdk, name, {});
        const b = await createTag({ repository: name, sourceDigest: untagged.digest, tag: "only" });
        await imageTag.delete(b.id, b.outs);
        assert.equal(await tagDigest(sdk, name, "only"), undefined);
        const left = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageDigest: untagged.digest }] }));
        assert.equal(left.imageDetails?.[0]?.imageDigest, untagged.digest, "the image is still there, untagged");
        assert.deepEqual(left.imageDetails?.[0]?.imageTags ?? [], []);

        // Deleting again (tag gone) and after the repository is gone are both done.
        await imageTag.delete(b.id, b.outs);
        await sdk.send(new c.DeleteRepositoryCommand({ repositoryName: name, force: true }));
        await imageTag.delete(a.id, a.outs);
    });

    it("delete leaves the tag alone when someone moved it to another image", async () => {
        const name = await repo();
        await pushImage(sdk, name, { tag: "1.0" });
        const a = await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        const other = await pushImage(sdk, name, { tag: "prod" });
        await imageTag.delete(a.id, a.outs);
        assert.equal(await tagDigest(sdk, name, "prod"), other.digest);
    });
});

describe("ImageTag (moto)", function () {
    this.timeout(60_000);
    let moto: Endpoint;
    let sdk: c.ECRClient;
    let restore: () => void;

    before(async () => {
        moto = await startMoto();
        restore = useEndpoint(moto.url);
        resetClients();
        sdk = client(moto.url);
    });
    after(async () => {
        resetClients();
        restore?.();
        sdk?.destroy();
        await moto?.stop();
    });

    it("creates, reads and deletes a tag with the calls moto has (BatchGetImage, PutImage, BatchDeleteImage)", async () => {
        const name = randomName("tag");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name }));
        const img = await pushImage(sdk, name, { tag: "1.0", uploadBlobs: false });
        const source = await tagDigest(sdk, name, "1.0");
        const { id, outs } = await createTag({ repository: name, sourceTag: "1.0", tag: "prod" });
        assert.equal(outs.imageDigest, source);
        const got = await sdk.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "prod" }] }));
        assert.equal(got.images?.[0]?.imageManifest, img.manifest);
        assert.equal((await imageTag.read(id, outs)).props?.imageDigest, source);
        await imageTag.delete(id, outs);
        assert.equal(await tagDigest(sdk, name, "prod"), undefined);
        assert.equal(await tagDigest(sdk, name, "1.0"), source, "the source tag and its image stay");
        assert.equal((await imageTag.read(id, outs)).id, "");
    });
});

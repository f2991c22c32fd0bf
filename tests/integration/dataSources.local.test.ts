/**
 * Data sources against an endpoint that implements what moto ignores or lacks: DescribeImages
 * pagination and `filter`, DescribeRepositories pagination, the layer operations, real digests and
 * registry logins. That is the project's local endpoint (local/), started on a free loopback port
 * behind a counting proxy, so every test also asserts how many calls were made and what they asked.
 *
 * No assertion can pass because an argument was ignored: each filter test holds images the filter
 * must drop and checks they are gone, and the request the endpoint received carried the filter.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { LocalEcr, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import { NotFoundError } from "../../provider/errors";
import * as ecr from "../../sdk";
import { client as directClient, sha256 } from "../conformance/fixtures";
import { CountingProxy, startCountingProxy } from "../helpers/countingProxy";
import { OCI_INDEX, SeededImage, indexText, manifestText, pushImages, seedBlobs, uploadSeedBlobs } from "../helpers/images";
import { useEndpoint } from "../helpers/moto";

const IMAGES = 2500;
const tagOf = (i: number) => (i % 3 === 0 ? undefined : i % 3 === 1 ? `v1.${i}` : `v2.${i}`);
const UNTAGGED = Array.from({ length: IMAGES }, (_, i) => i).filter((i) => tagOf(i) === undefined).length; // 834
const V1 = Array.from({ length: IMAGES }, (_, i) => i).filter((i) => i % 3 === 1).length; // 833

describe("data sources (integration, local endpoint with pagination, filters and layers)", function () {
    this.timeout(180_000);
    let local: LocalEcr;
    let proxy: CountingProxy;
    let restore: () => void;
    let seed: ECRClient;
    let big: SeededImage[];

    before(async () => {
        local = await startLocalEcr({ port: 0 });
        proxy = await startCountingProxy(local.url);
        restore = useEndpoint(proxy.url);
        resetClients();
        seed = directClient(local.url); // seeding goes straight to the endpoint: the proxy counts only the data sources
        await seed.send(new CreateRepositoryCommand({ repositoryName: "big" }));
        await uploadSeedBlobs(seed, "big");
        big = await pushImages(seed, "big", IMAGES, { tagOf, spacedTail: 3 });
        // Image URIs come from the repositoryUri ECR reports, read once per repository per process:
        // read it now, so that the call counts below are the data sources' own.
        await ecr.getImage({ repositoryName: "big", mostRecent: true });
    });
    after(async () => {
        resetClients();
        restore?.();
        seed?.destroy();
        await proxy?.stop();
        await local?.stop();
    });
    beforeEach(() => proxy.reset());

    const digests = (xs: { imageDigest: string }[]) => xs.map((x) => x.imageDigest);
    const newest = (n: number) =>
        big
            .slice(-n)
            .reverse()
            .map((x) => x.digest);

    describe("getImages: DescribeImages pages of 1000 and ECR's tag-status filter", () => {
        it(`reads ${IMAGES} images in exactly 3 pages of maxResults 1000, newest first`, async () => {
            const out = await ecr.getImages({ repositoryName: "big" });
            assert.equal(out.images.length, IMAGES);
            assert.deepEqual(new Set(digests(out.images)), new Set(big.map((b) => b.digest)));
            assert.deepEqual(digests(out.images.slice(0, 3)), newest(3));
            for (let i = 1; i < out.images.length; i++) assert.ok(out.images[i - 1].imagePushedAt >= out.images[i].imagePushedAt);
            assert.deepEqual(proxy.counts(), { DescribeImages: 3 });
            const [first, second, third] = proxy.calls().map((c) => c.body);
            assert.deepEqual(first, { repositoryName: "big", maxResults: 1000 });
            assert.equal(second.maxResults, 1000);
            assert.ok(second.nextToken && third.nextToken && second.nextToken !== third.nextToken);
            // The registry host the endpoint reports for the repository, not the (proxy's) API host.
            const host = new URL(local.url).host;
            assert.equal(out.images[0].imageUri, `${host}/big@${big[IMAGES - 1].digest}`);
        });

        it("tagStatus TAGGED: ECR drops the untagged images (the request carries the filter)", async () => {
            const out = await ecr.getImages({ repositoryName: "big", tagStatus: "TAGGED" });
            assert.equal(out.images.length, IMAGES - UNTAGGED);
            assert.ok(
                out.images.every((i) => i.imageTags.length > 0),
                "no untagged image survives",
            );
            assert.ok(!digests(out.images).includes(big[IMAGES - 1].digest), "the newest image is untagged and must be excluded");
            assert.deepEqual(proxy.counts(), { DescribeImages: 2 }, "1666 tagged images: 2 pages");
            assert.ok(proxy.calls().every((c) => c.body.filter?.tagStatus === "TAGGED"));
        });

        it("tagStatus UNTAGGED: only the untagged images, in one page", async () => {
            const out = await ecr.getImages({ repositoryName: "big", tagStatus: "UNTAGGED" });
            assert.equal(out.images.length, UNTAGGED);
            assert.ok(out.images.every((i) => i.imageTags.length === 0));
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
            assert.deepEqual(proxy.calls()[0].body.filter, { tagStatus: "UNTAGGED" });
        });

        it("tagPattern: only images with a matching tag (applied here, over ECR's TAGGED pages)", async () => {
            const out = await ecr.getImages({ repositoryName: "big", tagPattern: "v1.*" });
            assert.equal(out.images.length, V1);
            assert.ok(out.images.every((i) => i.imageTags.some((t) => t.startsWith("v1."))));
            assert.ok(!out.images.some((i) => i.imageTags.some((t) => t.startsWith("v2."))), "v2 images must be excluded");
            assert.deepEqual(digests(out.images.slice(0, 1)), [big[2497].digest]);
            assert.deepEqual(proxy.counts(), { DescribeImages: 2 });
        });

        it("pushedAfter and limit: only the newest, but every page is still read", async () => {
            const direct = await seed.send(
                new DescribeImagesCommand({ repositoryName: "big", imageIds: [{ imageDigest: big[IMAGES - 3].digest }] }),
            );
            const pushedAt = direct.imageDetails![0].imagePushedAt!;
            const after = await ecr.getImages({ repositoryName: "big", pushedAfter: pushedAt.toISOString() });
            assert.deepEqual(digests(after.images), newest(2), "strictly after the third-newest push");
            proxy.reset();
            const limited = await ecr.getImages({ repositoryName: "big", limit: 2 });
            assert.deepEqual(digests(limited.images), newest(2));
            assert.deepEqual(proxy.counts(), { DescribeImages: 3 }, "ECR's order is not push order, so limit cannot stop early");
        });
    });

    describe("getImage", () => {
        it("by tag and by digest: one DescribeImages call each, nothing else", async () => {
            const target = big[1234];
            const byTag = await ecr.getImage({ repositoryName: "big", imageTag: target.tag! });
            assert.equal(byTag.imageDigest, target.digest);
            assert.deepEqual(byTag.imageTags, [target.tag]);
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
            assert.deepEqual(proxy.calls()[0].body, { repositoryName: "big", imageIds: [{ imageTag: target.tag }] });
            proxy.reset();
            const byDigest = await ecr.getImage({ repositoryName: "big", imageDigest: target.digest });
            assert.equal(byDigest.imageTags[0], target.tag);
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
        });

        it("mostRecent finds the newest image on the last page, in 3 calls", async () => {
            const firstPage = await seed.send(new DescribeImagesCommand({ repositoryName: "big", maxResults: 1000 }));
            assert.ok(
                !firstPage.imageDetails!.some((d) => d.imageDigest === big[IMAGES - 1].digest),
                "precondition: the newest is not on page 1",
            );
            const img = await ecr.getImage({ repositoryName: "big", mostRecent: true });
            assert.equal(img.imageDigest, big[IMAGES - 1].digest);
            assert.deepEqual(proxy.counts(), { DescribeImages: 3 });
        });

        it("a missing tag is a NotFoundError naming repository and tag", async () => {
            await assert.rejects(ecr.getImage({ repositoryName: "big", imageTag: "v9.9" }), (e: Error) => {
                assert.ok(e instanceof NotFoundError);
                assert.equal(e.message, 'ECR Image (big:v9.9) not found: repository "big" has no image tagged "v9.9"');
                return true;
            });
        });
    });

    describe("getImageManifest", () => {
        let indexDigest: string;
        let platforms: string[];
        before(async () => {
            await seed.send(new CreateRepositoryCommand({ repositoryName: "multi" }));
            const blobs = seedBlobs("multi");
            await uploadSeedBlobs(seed, "multi", blobs);
            const amd = manifestText(blobs, "amd64");
            const arm = manifestText(blobs, "arm64");
            for (const m of [amd, arm]) await seed.send(new PutImageCommand({ repositoryName: "multi", imageManifest: m }));
            platforms = [sha256(amd), sha256(arm)];
            const index = indexText([
                { digest: platforms[0], size: Buffer.byteLength(amd), os: "linux", architecture: "amd64" },
                { digest: platforms[1], size: Buffer.byteLength(arm), os: "linux", architecture: "arm64", variant: "v8" },
            ]);
            indexDigest = sha256(index);
            await seed.send(new PutImageCommand({ repositoryName: "multi", imageManifest: index, imageTag: "1.0" }));
        });

        it("an index: per-platform digests, the digest verified, one BatchGetImage", async () => {
            const m = await ecr.getImageManifest({ repositoryName: "multi", imageTag: "1.0" });
            assert.equal(m.isIndex, true);
            assert.equal(m.imageDigest, indexDigest);
            assert.equal(m.digestMatches, true);
            assert.equal(m.imageManifestMediaType, OCI_INDEX);
            assert.deepEqual(m.platformDigests, { "linux/amd64": platforms[0], "linux/arm64/v8": platforms[1] });
            assert.deepEqual(proxy.counts(), { BatchGetImage: 1 });
        });

        it("a platform manifest by digest: its layers, which getLayerAvailability then finds", async () => {
            const m = await ecr.getImageManifest({ repositoryName: "multi", imageDigest: platforms[1] });
            assert.equal(m.isIndex, false);
            assert.equal(m.digestMatches, true);
            assert.equal(m.layers.length, 1);
            const layers = await ecr.getLayerAvailability({
                repositoryName: "multi",
                layerDigests: [m.config!.digest, ...m.layers.map((l) => l.digest)],
            });
            assert.equal(layers.allAvailable, true);
            assert.deepEqual(
                layers.layers.map((l) => l.layerSize),
                [m.config!.size, m.layers[0].size],
            );
        });

        it("an index outside acceptedMediaTypes is not found, and the message says so", async () => {
            await assert.rejects(
                ecr.getImageManifest({
                    repositoryName: "multi",
                    imageTag: "1.0",
                    acceptedMediaTypes: ["application/vnd.oci.image.manifest.v1+json"],
                }),
                (e: Error) => {
                    assert.ok(e instanceof NotFoundError);
                    assert.match(
                        e.message,
                        /^ECR Image \(multi:1\.0\) not found: .* in the accepted media types \(application\/vnd\.oci\.image\.manifest\.v1\+json\)/,
                    );
                    return true;
                },
            );
            assert.deepEqual(proxy.calls()[0].body.acceptedMediaTypes, ["application/vnd.oci.image.manifest.v1+json"]);
        });
    });

    describe("layers", () => {
        const blobs = seedBlobs("layers");
        before(async () => {
            await seed.send(new CreateRepositoryCommand({ repositoryName: "layers" }));
            await uploadSeedBlobs(seed, "layers", blobs);
            await seed.send(new PutImageCommand({ repositoryName: "layers", imageManifest: manifestText(blobs, "x"), imageTag: "x" }));
        });

        it("getLayerAvailability: 152 digests in 2 calls (100 + 52), present ones with sizes, ECR's failures for the rest", async () => {
            const absent = Array.from({ length: 150 }, (_, i) => `sha256:${createHash("sha256").update(`absent-${i}`).digest("hex")}`);
            const out = await ecr.getLayerAvailability({
                repositoryName: "layers",
                layerDigests: [blobs.layer.digest, ...absent, blobs.config.digest],
            });
            assert.deepEqual(
                proxy.calls().map((c) => [c.operation, c.body.layerDigests.length]),
                [
                    ["BatchCheckLayerAvailability", 100],
                    ["BatchCheckLayerAvailability", 52],
                ],
            );
            assert.deepEqual(out.layers[0], {
                layerDigest: blobs.layer.digest,
                available: true,
                layerAvailability: "AVAILABLE",
                layerSize: blobs.layer.size,
            });
            assert.equal(out.layers[151].layerSize, blobs.config.size);
            assert.equal(out.layers.filter((l) => l.available).length, 2);
            assert.equal(out.failures.length, 150);
            assert.ok(out.failures.every((f) => f.failureCode === "MissingLayerDigest"));
            assert.deepEqual(out.missingLayerDigests, absent);
            assert.equal(out.allAvailable, false);
        });

        it("getLayerDownloadUrl: one call, and the URL serves the very bytes of the digest", async () => {
            const out = await ecr.getLayerDownloadUrl({ repositoryName: "layers", layerDigest: blobs.layer.digest });
            assert.deepEqual(proxy.counts(), { GetDownloadUrlForLayer: 1 });
            assert.equal(out.layerDigest, blobs.layer.digest);
            const res = await fetch(out.downloadUrl);
            assert.equal(res.status, 200);
            assert.equal(sha256(Buffer.from(await res.arrayBuffer())), blobs.layer.digest);
        });

        it("getLayerDownloadUrl of a layer not there: NotFoundError naming repository and digest", async () => {
            const missing = `sha256:${"0".repeat(64)}`;
            await assert.rejects(ecr.getLayerDownloadUrl({ repositoryName: "layers", layerDigest: missing }), {
                name: "NotFoundError",
                message: `ECR Layer (layers@${missing}) not found: repository "layers" holds no layer with that digest`,
            });
        });
    });

    describe("getAuthorizationToken", () => {
        it("one call; the docker config it builds logs in to the registry", async () => {
            const t = await ecr.getAuthorizationToken();
            assert.deepEqual(proxy.counts(), { GetAuthorizationToken: 1 });
            assert.equal(t.userName, "AWS");
            assert.equal(t.proxyEndpoint, local.url);
            assert.ok(Date.parse(t.expiresAt) > Date.now());
            const auths = JSON.parse(t.dockerConfigJson).auths;
            assert.deepEqual(Object.keys(auths), [local.registryHost]);
            const denied = await fetch(`${local.url}/v2/`);
            assert.equal(denied.status, 401, "precondition: the registry wants a login");
            const allowed = await fetch(`${local.url}/v2/`, { headers: { Authorization: `Basic ${auths[local.registryHost].auth}` } });
            assert.equal(allowed.status, 200);
            assert.equal(Buffer.from(auths[local.registryHost].auth, "base64").toString(), `AWS:${t.password}`);
        });
    });

    describe("getRepository and getRepositories", () => {
        it("getRepository: DescribeRepositories, ListTagsForResource and one DescribeImages per 1000 images", async () => {
            const r = await ecr.getRepository({ name: "big" });
            assert.equal(r.name, "big");
            assert.equal(r.repositoryUrl, `${local.registryHost}/big`);
            assert.deepEqual(r.mostRecentImageTags, [], "the newest image of `big` is untagged");
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1, ListTagsForResource: 1, DescribeImages: 3 });
            proxy.reset();
            const layers = await ecr.getRepository({ name: "layers" });
            assert.deepEqual(layers.mostRecentImageTags, ["x"]);
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1, ListTagsForResource: 1, DescribeImages: 1 });
        });

        it("getRepositories: each repository's details from the listing, with no second describe", async () => {
            const out = await ecr.getRepositories();
            assert.deepEqual(out.names, ["big", "layers", "multi"]);
            assert.deepEqual(
                out.repositories.map((r) => r.name),
                out.names,
            );
            assert.deepEqual(out.repositories.find((r) => r.name === "layers")!.mostRecentImageTags, ["x"]);
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1, ListTagsForResource: 3, DescribeImages: 3 + 1 + 1 });
        });

        it("getRepositories over 1001+ repositories: 2 pages of 1000, and namesOnly makes no other call", async () => {
            const names = Array.from({ length: 1001 }, (_, i) => `many/r${String(i).padStart(4, "0")}`);
            let next = 0;
            const worker = async () => {
                while (next < names.length) await seed.send(new CreateRepositoryCommand({ repositoryName: names[next++] }));
            };
            await Promise.all(Array.from({ length: 8 }, worker));
            proxy.reset();
            const out = await ecr.getRepositories({ namesOnly: true });
            assert.equal(out.names.length, 1004);
            assert.ok(names.every((n) => out.names.includes(n)));
            assert.deepEqual(out.repositories, []);
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 2 });
            assert.ok(proxy.calls().every((c) => c.body.maxResults === 1000));
        });
    });
});

/**
 * Data sources against moto over HTTP, the independent ECR peer, behind a counting proxy. Only
 * what moto implements is asserted here: image lookup by id, BatchGetImage, repositories and
 * their tags, GetAuthorizationToken. moto ignores DescribeImages' `filter` and pagination and
 * lacks the layer operations: those paths are in dataSources.local.test.ts.
 */
import * as assert from "node:assert/strict";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import * as repository from "../../provider/repository";
import { resetClients } from "../../provider/client";
import { NotFoundError } from "../../provider/errors";
import * as ecr from "../../sdk";
import { resetRepositoryUris } from "../../sdk/readers/common";
import { sha256 } from "../conformance/fixtures";
import { CountingProxy, startCountingProxy } from "../helpers/countingProxy";
import { manifestText, nextClockUnit, seedBlobs } from "../helpers/images";
import { Endpoint, startMoto, useEndpoint } from "../helpers/moto";

const ACCOUNT = "123456789012"; // moto's default account

describe("data sources (integration, moto over HTTP)", function () {
    this.timeout(120_000);
    let moto: Endpoint;
    let proxy: CountingProxy;
    let restore: () => void;
    let seed: ECRClient;
    const pushed: { digest: string; manifest: string; tag?: string }[] = [];

    before(async () => {
        moto = await startMoto();
        proxy = await startCountingProxy(moto.url);
        restore = useEndpoint(proxy.url);
        resetClients();
        seed = new ECRClient({ endpoint: moto.url, region: "us-east-1" });
        await seed.send(
            new CreateRepositoryCommand({
                repositoryName: "team/app",
                tags: [{ Key: "team", Value: "a" }],
                imageTagMutability: "IMMUTABLE",
            }),
        );
        await seed.send(new CreateRepositoryCommand({ repositoryName: "empty" }));
        await seed.send(new CreateRepositoryCommand({ repositoryName: "invented" }));
        // moto records push times in whole seconds: each push waits for the next second so "most recent" is defined.
        const blobs = seedBlobs("moto");
        for (const [i, tag] of [
            [0, "1.4.1"],
            [1, undefined],
            [2, "1.4.2"],
        ] as const) {
            if (i > 0) await nextClockUnit(1000);
            const manifest = manifestText(blobs, `moto-${i}`);
            // moto would invent a digest; given one, it keeps it, so digests here are real sha256s.
            await seed.send(
                new PutImageCommand({ repositoryName: "team/app", imageManifest: manifest, imageTag: tag, imageDigest: sha256(manifest) }),
            );
            pushed.push({ digest: sha256(manifest), manifest, tag });
        }
        await seed.send(
            new PutImageCommand({
                repositoryName: "team/app",
                imageManifest: pushed[2].manifest,
                imageTag: "latest",
                imageDigest: pushed[2].digest,
            }),
        );
    });
    after(async () => {
        resetClients();
        restore?.();
        seed?.destroy();
        await proxy?.stop();
        await moto?.stop();
    });
    beforeEach(() => proxy.reset());

    describe("image URIs", () => {
        it("start with the repositoryUri moto reports (its registry host is not the API host), at one DescribeRepositories per repository", async () => {
            resetRepositoryUris();
            const reported = (await seed.send(new DescribeRepositoriesCommand({ repositoryNames: ["team/app"] }))).repositories![0]
                .repositoryUri!;
            assert.notEqual(reported.split("/")[0], new URL(proxy.url).host, "moto reports a registry host of its own");
            const img = await ecr.getImage({ repositoryName: "team/app", imageTag: "1.4.2" });
            assert.equal(img.imageUri, `${reported}@${pushed[2].digest}`);
            const all = await ecr.getImages({ repositoryName: "team/app" });
            assert.ok(all.images.every((i) => i.imageUri === `${reported}@${i.imageDigest}`));
            assert.deepEqual(proxy.counts(), { DescribeImages: 2, DescribeRepositories: 1 });
            // Warm for the tests below, which count only their own calls.
            for (const repositoryName of ["empty", "invented"]) await ecr.getImages({ repositoryName }).catch(() => undefined);
        });
    });

    describe("getImage", () => {
        it("by tag: the image's digest, tags and a pullable-by-digest URI, in one DescribeImages call", async () => {
            const img = await ecr.getImage({ repositoryName: "team/app", imageTag: "1.4.2" });
            assert.equal(img.imageDigest, pushed[2].digest);
            assert.deepEqual(img.imageTags, ["1.4.2", "latest"]);
            assert.equal(img.repositoryName, "team/app");
            assert.equal(img.registryId, ACCOUNT);
            assert.ok(img.imageUri.endsWith(`/team/app@${pushed[2].digest}`), img.imageUri);
            assert.equal(img.imageManifestMediaType, "application/vnd.oci.image.manifest.v1+json");
            assert.ok(img.imagePushedAt > 1_600_000_000 && img.imagePushedAt <= Date.now() / 1000 + 5);
            assert.ok(img.imageSizeInBytes > 0);
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
        });

        it("by digest: the same image", async () => {
            const img = await ecr.getImage({ repositoryName: "team/app", imageDigest: pushed[0].digest });
            assert.deepEqual(img.imageTags, ["1.4.1"]);
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
        });

        it("mostRecent: the last one pushed, whatever its tags", async () => {
            const img = await ecr.getImage({ repositoryName: "team/app", mostRecent: true });
            assert.equal(img.imageDigest, pushed[2].digest);
            assert.equal(img.mostRecent, true);
            assert.deepEqual(proxy.counts(), { DescribeImages: 1 });
        });

        it("a missing tag, digest or repository: a NotFoundError naming them", async () => {
            await assert.rejects(ecr.getImage({ repositoryName: "team/app", imageTag: "9.9.9" }), {
                name: "NotFoundError",
                message: 'ECR Image (team/app:9.9.9) not found: repository "team/app" has no image tagged "9.9.9"',
            });
            const digest = `sha256:${"0".repeat(64)}`;
            await assert.rejects(ecr.getImage({ repositoryName: "team/app", imageDigest: digest }), {
                name: "NotFoundError",
                message: `ECR Image (team/app@${digest}) not found: repository "team/app" has no image with digest ${digest}`,
            });
            await assert.rejects(ecr.getImage({ repositoryName: "nope", imageTag: "1" }), {
                name: "NotFoundError",
                message: "ECR Repository (nope) not found",
            });
            await assert.rejects(ecr.getImage({ repositoryName: "empty", mostRecent: true }), /repository "empty" holds no images/);
        });
    });

    describe("getImages (moto ignores filters and pages: only the unfiltered read is asserted here)", () => {
        it("every image, newest first", async () => {
            const out = await ecr.getImages({ repositoryName: "team/app" });
            assert.deepEqual(
                out.images.map((i) => i.imageDigest),
                [pushed[2].digest, pushed[1].digest, pushed[0].digest],
            );
            assert.deepEqual(out.images[1].imageTags, []);
            assert.deepEqual(out.imageIds, [
                { imageDigest: pushed[2].digest, imageTag: "1.4.2" },
                { imageDigest: pushed[2].digest, imageTag: "latest" },
                { imageDigest: pushed[1].digest },
                { imageDigest: pushed[0].digest, imageTag: "1.4.1" },
            ]);
            assert.deepEqual(
                proxy.calls().map((c) => c.body),
                [{ repositoryName: "team/app", maxResults: 1000 }],
            );
        });
    });

    describe("getImageManifest", () => {
        it("the manifest text, media type and digest, verified against its sha256", async () => {
            const m = await ecr.getImageManifest({ repositoryName: "team/app", imageTag: "1.4.1" });
            assert.equal(m.imageManifest, pushed[0].manifest);
            assert.equal(m.imageDigest, pushed[0].digest);
            assert.equal(m.digestMatches, true);
            assert.equal(m.isIndex, false);
            assert.equal(m.layers.length, 1);
            assert.deepEqual(proxy.counts(), { BatchGetImage: 1 });
        });

        it("reports a digest that is not the manifest's sha256 (moto invents one when not given)", async () => {
            const manifest = manifestText(seedBlobs("invented"), "x");
            await seed.send(new PutImageCommand({ repositoryName: "invented", imageManifest: manifest, imageTag: "x" }));
            const m = await ecr.getImageManifest({ repositoryName: "invented", imageTag: "x" });
            assert.equal(m.computedDigest, sha256(manifest));
            assert.notEqual(m.imageDigest, m.computedDigest);
            assert.equal(m.digestMatches, false);
        });

        it("a missing tag: NotFoundError naming repository and tag, from BatchGetImage's failures", async () => {
            await assert.rejects(ecr.getImageManifest({ repositoryName: "team/app", imageTag: "0.0.0" }), (e: Error) => {
                assert.ok(e instanceof NotFoundError);
                assert.match(
                    e.message,
                    /^ECR Image \(team\/app:0\.0\.0\) not found: repository "team\/app" has no image tagged "0\.0\.0" \(ECR: ImageNotFound/,
                );
                return true;
            });
        });
    });

    describe("getRepository and getRepositories", () => {
        it("getRepository has the Repository resource's outputs, aws.ecr.getRepository's names and mostRecentImageTags", async () => {
            const r = await ecr.getRepository({ name: "team/app" });
            const managed = await repository.read("team/app", { name: "team/app", region: "us-east-1", arn: "known" });
            const { forceDelete: _f, ...outputs } = managed.props as repository.RepositoryOutputs;
            for (const [k, v] of Object.entries(outputs)) assert.deepEqual((r as any)[k], v, `field ${k}`);
            assert.equal(r.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(r.tags, { team: "a" });
            assert.deepEqual(r.imageScanningConfigurations, [r.imageScanningConfiguration]);
            assert.equal(r.id, "team/app");
            assert.deepEqual(r.mostRecentImageTags, ["1.4.2", "latest"]);
            proxy.reset();
            await ecr.getRepository({ name: "team/app" });
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1, ListTagsForResource: 1, DescribeImages: 1 });
        });

        it("getRepository of a missing repository: NotFoundError naming it", async () => {
            await assert.rejects(ecr.getRepository({ name: "absent" }), {
                name: "NotFoundError",
                message: "ECR Repository (absent) not found",
            });
        });

        it("getRepositories: names and details of every repository, sorted", async () => {
            const out = await ecr.getRepositories();
            assert.deepEqual(out.names, ["empty", "invented", "team/app"]);
            assert.deepEqual(
                out.repositories.map((r) => r.mostRecentImageTags),
                [[], ["x"], ["1.4.2", "latest"]],
            );
            assert.equal(out.region, "us-east-1");
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1, ListTagsForResource: 3, DescribeImages: 3 });
            proxy.reset();
            const names = await ecr.getRepositories({ namesOnly: true });
            assert.deepEqual(names.names, ["empty", "invented", "team/app"]);
            assert.deepEqual(proxy.counts(), { DescribeRepositories: 1 });
        });
    });

    describe("getAuthorizationToken", () => {
        it("user name and password decoded from the token, a docker config keyed by the registry host", async () => {
            const t = await ecr.getAuthorizationToken();
            assert.equal(t.userName, "AWS");
            assert.equal(Buffer.from(t.authorizationToken, "base64").toString(), `AWS:${t.password}`);
            assert.equal(t.proxyEndpoint, `https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`);
            assert.deepEqual(JSON.parse(t.dockerConfigJson), {
                auths: { [`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`]: { auth: t.authorizationToken } },
            });
            assert.ok(!Number.isNaN(Date.parse(t.expiresAt)));
            assert.deepEqual(proxy.counts(), { GetAuthorizationToken: 1 });
        });
    });
});

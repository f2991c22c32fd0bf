/**
 * The data sources' mapping and the paths that only a recorded client can show: talking to AWS
 * itself (no endpoint override), where `imageUri` is derived without a DescribeRepositories call;
 * ECR's answers mapped to results and errors; client-side filters; manifest parsing.
 * Pagination, filters and layers against an endpoint over HTTP are in
 * tests/integration/dataSources.local.test.ts.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readImage, readImages, tagPatternRegExp } from "../../sdk/readers/images";
import { manifestResult, readImageManifest } from "../../sdk/readers/imageManifest";
import { readAuthorizationToken } from "../../sdk/readers/authorizationToken";
import { LAYER_BATCH_SIZE, readLayerAvailability, readLayerDownloadUrl } from "../../sdk/readers/layers";
import { repositoryUri, resetRepositoryUris } from "../../sdk/readers/common";
import { EcrError, NotFoundError } from "../../provider/errors";
import { recordedClient } from "../helpers/recordedClient";

const ACCOUNT = "123456789012";
const d = (c: string) => `sha256:${c.repeat(64)}`;
const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** Clears endpoint overrides so the client talks "to AWS" (its handler answers in process). */
function withoutEndpointOverride(): () => void {
    const keys = ["AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"];
    const saved = keys.map((k) => [k, process.env[k]] as const);
    for (const k of keys) delete process.env[k];
    return () => {
        for (const [k, v] of saved)
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
    };
}

const detail = (digest: string, pushedAt: number, tags?: string[], extra: Record<string, unknown> = {}) => ({
    registryId: ACCOUNT,
    repositoryName: "app",
    imageDigest: digest,
    imagePushedAt: pushedAt,
    imageSizeInBytes: 1234,
    imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    ...(tags ? { imageTags: tags } : {}),
    ...extra,
});

describe("data sources against AWS itself (recorded client)", () => {
    let restoreEnv: () => void;
    beforeEach(() => (restoreEnv = withoutEndpointOverride()));
    afterEach(() => restoreEnv());

    it("getImage by tag: one DescribeImages by image id, imageUri derived from registry and region", async () => {
        const { client, requests } = recordedClient("us-east-1", () => ({
            body: {
                imageDetails: [
                    detail(d("a"), 1700000000.75, ["v2", "latest", "v10"], {
                        lastRecordedPullTime: 1700000100.2,
                        artifactMediaType: "application/vnd.oci.image.config.v1+json",
                    }),
                ],
            },
        }));
        const img = await readImage({ repositoryName: "app", imageTag: "latest", region: "us-east-1" }, client);
        assert.deepEqual(
            requests.map((r) => r.operation),
            ["DescribeImages"],
        );
        assert.deepEqual(requests[0].body, { repositoryName: "app", imageIds: [{ imageTag: "latest" }] });
        assert.equal(requests[0].host, "api.ecr.us-east-1.amazonaws.com");
        assert.equal(img.imageUri, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app@${d("a")}`);
        assert.equal(img.imageDigest, d("a"));
        assert.equal(img.id, d("a"));
        assert.deepEqual(img.imageTags, ["latest", "v10", "v2"]);
        assert.equal(img.imagePushedAt, 1700000000);
        assert.equal(img.lastRecordedPullTime, 1700000100);
        assert.equal(img.imageSizeInBytes, 1234);
        assert.equal(img.artifactMediaType, "application/vnd.oci.image.config.v1+json");
        assert.equal(img.imageTag, "latest");
        assert.equal(img.region, "us-east-1");
    });

    it("derives the registry host of other partitions from the SDK's endpoint rules", async () => {
        const { client } = recordedClient("cn-north-1", () => ({ body: { imageDetails: [detail(d("b"), 1)] } }));
        const img = await readImage({ repositoryName: "app", imageDigest: d("b"), region: "cn-north-1" }, client);
        assert.equal(img.imageUri, `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/app@${d("b")}`);
    });

    it("mostRecent reads every page at 1000 a page and keeps the newest, wherever it is", async () => {
        const pages = [
            { imageDetails: [detail(d("1"), 100), detail(d("2"), 300)], nextToken: "p2" },
            { imageDetails: [detail(d("3"), 900, ["new"]), detail(d("4"), 200)], nextToken: "p3" },
            { imageDetails: [detail(d("5"), 500)] },
        ];
        const { client, requests } = recordedClient("us-east-1", (_op, body) => ({
            body: pages[body.nextToken === "p2" ? 1 : body.nextToken === "p3" ? 2 : 0],
        }));
        const img = await readImage({ repositoryName: "app", mostRecent: true, region: "us-east-1" }, client);
        assert.equal(img.imageDigest, d("3"));
        assert.deepEqual(img.imageTags, ["new"]);
        assert.equal(img.mostRecent, true);
        assert.deepEqual(
            requests.map((r) => r.body),
            [
                { repositoryName: "app", maxResults: 1000 },
                { repositoryName: "app", maxResults: 1000, nextToken: "p2" },
                { repositoryName: "app", maxResults: 1000, nextToken: "p3" },
            ],
        );
    });

    it("mostRecent of an empty repository is a not-found error naming the repository", async () => {
        const { client } = recordedClient("us-east-1", () => ({ body: { imageDetails: [] } }));
        await assert.rejects(readImage({ repositoryName: "app", mostRecent: true, region: "us-east-1" }, client), (e: Error) => {
            assert.ok(e instanceof NotFoundError);
            assert.match(e.message, /repository "app" holds no images/);
            return true;
        });
    });

    it("a missing tag or repository is a NotFoundError naming the repository and the tag", async () => {
        const missingImage = recordedClient("us-east-1", () => ({
            error: "ImageNotFoundException",
            message: "The image with imageId {imageDigest:'null', imageTag:'1.4.2'} does not exist",
        }));
        await assert.rejects(
            readImage({ repositoryName: "app", imageTag: "1.4.2", region: "us-east-1" }, missingImage.client),
            (e: Error) => {
                assert.ok(e instanceof NotFoundError);
                assert.equal(e.message, 'ECR Image (app:1.4.2) not found: repository "app" has no image tagged "1.4.2"');
                assert.equal((e.cause as Error).name, "ImageNotFoundException");
                return true;
            },
        );
        const missingRepo = recordedClient("us-east-1", () => ({ error: "RepositoryNotFoundException" }));
        await assert.rejects(
            readImage({ repositoryName: "gone", imageDigest: d("c"), registryId: ACCOUNT, region: "us-east-1" }, missingRepo.client),
            {
                name: "NotFoundError",
                message: `ECR Repository (gone) not found in registry ${ACCOUNT}`,
            },
        );
    });

    it("other errors come in the one format, with the image named", async () => {
        const { client } = recordedClient("us-east-1", () => ({ error: "AccessDeniedException", message: "not allowed" }));
        await assert.rejects(readImage({ repositoryName: "app", imageTag: "1", region: "us-east-1" }, client), (e: Error) => {
            assert.ok(e instanceof EcrError);
            assert.match(e.message, /^reading ECR Image \(app:1\): AccessDeniedException: not allowed\. Hint: /);
            return true;
        });
    });
});

describe("getImages: the filters DescribeImages does not have", () => {
    let restoreEnv: () => void;
    beforeEach(() => (restoreEnv = withoutEndpointOverride()));
    afterEach(() => restoreEnv());

    const images = [
        detail(d("1"), 100, ["v1.0", "stable"]),
        detail(d("2"), 400, ["v1x2"]),
        detail(d("3"), 300, ["v2.0"]),
        detail(d("4"), 200, ["v1.1"]),
        detail(d("6"), 200, ["v1.9"]),
        detail(d("5"), 500),
    ];
    const serve = () =>
        recordedClient("us-east-1", (_op, body) => ({
            body: { imageDetails: images.filter((i) => body.filter?.tagStatus !== "TAGGED" || i.imageTags) },
        }));

    it("returns everything newest first (equal push times by digest), one entry per tag in imageIds", async () => {
        const { client, requests } = serve();
        const out = await readImages({ repositoryName: "app", region: "us-east-1" }, client);
        assert.deepEqual(
            out.images.map((i) => i.imageDigest),
            [d("5"), d("2"), d("3"), d("4"), d("6"), d("1")],
        );
        assert.deepEqual(requests[0].body, { repositoryName: "app", maxResults: 1000 });
        assert.equal(out.imageIds.length, 7);
        assert.deepEqual(out.imageIds[0], { imageDigest: d("5") });
        assert.deepEqual(
            out.imageIds.filter((x) => x.imageDigest === d("1")).map((x) => x.imageTag),
            ["stable", "v1.0"],
        );
        assert.equal(out.images[0].imageUri, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app@${d("5")}`);
    });

    it("tagPattern matches any tag, `.` literally, and asks ECR for tagged images only", async () => {
        const { client, requests } = serve();
        const out = await readImages({ repositoryName: "app", tagPattern: "v1.*", region: "us-east-1" }, client);
        assert.deepEqual(
            out.images.map((i) => i.imageDigest),
            [d("4"), d("6"), d("1")],
        );
        assert.deepEqual(requests[0].body.filter, { tagStatus: "TAGGED" });
    });

    it("pushedAfter keeps images pushed strictly later, given as unix seconds or ISO 8601", async () => {
        const { client } = serve();
        const bySeconds = await readImages({ repositoryName: "app", pushedAfter: 300, region: "us-east-1" }, client);
        assert.deepEqual(
            bySeconds.images.map((i) => i.imageDigest),
            [d("5"), d("2")],
        );
        const byIso = await readImages(
            { repositoryName: "app", pushedAfter: new Date(299_000).toISOString(), region: "us-east-1" },
            client,
        );
        assert.deepEqual(
            byIso.images.map((i) => i.imageDigest),
            [d("5"), d("2"), d("3")],
        );
    });

    it("limit keeps the newest after every filter", async () => {
        const { client } = serve();
        const out = await readImages({ repositoryName: "app", tagPattern: "v*", limit: 2, region: "us-east-1" }, client);
        assert.deepEqual(
            out.images.map((i) => i.imageDigest),
            [d("2"), d("3")],
        );
    });

    it("tag patterns: `*` is the only wildcard", () => {
        assert.ok(tagPatternRegExp("v1.*").test("v1.2.3"));
        assert.ok(!tagPatternRegExp("v1.*").test("v1x2"));
        assert.ok(tagPatternRegExp("*").test("anything"));
        assert.ok(tagPatternRegExp("a*b*c").test("a--b--c"));
        assert.ok(!tagPatternRegExp("a*b*c").test("a--b--cd"));
        assert.ok(!tagPatternRegExp("latest").test("latest2"));
    });
});

describe("getImageManifest", () => {
    let restoreEnv: () => void;
    beforeEach(() => (restoreEnv = withoutEndpointOverride()));
    afterEach(() => restoreEnv());

    const single = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c"), size: 7 },
        layers: [
            { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d("1"), size: 10 },
            { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d("2"), size: 20 },
        ],
    });
    const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
            {
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                digest: d("a"),
                size: 500,
                platform: { os: "linux", architecture: "amd64" },
            },
            {
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                digest: d("b"),
                size: 500,
                platform: { os: "linux", architecture: "arm64", variant: "v8" },
            },
            {
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                digest: d("e"),
                size: 800,
                platform: { os: "unknown", architecture: "unknown" },
            },
        ],
    });
    const meta = { registryId: ACCOUNT, repositoryName: "app", region: "us-east-1" };

    it("a single-platform manifest: config and layers, digest verified", () => {
        const m = manifestResult(single, { ...meta, imageDigest: sha(single), mediaType: "application/vnd.oci.image.manifest.v1+json" });
        assert.equal(m.isIndex, false);
        assert.equal(m.digestMatches, true);
        assert.equal(m.computedDigest, sha(single));
        assert.deepEqual(m.config, { digest: d("c"), mediaType: "application/vnd.oci.image.config.v1+json", size: 7 });
        assert.deepEqual(
            m.layers.map((l) => [l.digest, l.size]),
            [
                [d("1"), 10],
                [d("2"), 20],
            ],
        );
        assert.deepEqual(m.manifests, []);
        assert.deepEqual(m.platformDigests, {});
    });

    it("an index: every entry, and a digest per real platform (attestations left out)", () => {
        const m = manifestResult(index, { ...meta, imageDigest: sha(index) });
        assert.equal(m.isIndex, true);
        assert.equal(m.imageManifestMediaType, "application/vnd.oci.image.index.v1+json", "taken from the manifest when ECR gives none");
        assert.equal(m.manifests.length, 3);
        assert.deepEqual(m.manifests[1].platform, { os: "linux", architecture: "arm64", variant: "v8" });
        assert.deepEqual(m.platformDigests, { "linux/amd64": d("a"), "linux/arm64/v8": d("b") });
        assert.deepEqual(m.layers, []);
    });

    it("reports a digest that is not the sha256 of the manifest instead of hiding it", () => {
        const m = manifestResult(single, { ...meta, imageDigest: d("f") });
        assert.equal(m.imageDigest, d("f"));
        assert.equal(m.digestMatches, false);
        assert.equal(m.computedDigest, sha(single));
    });

    it("one BatchGetImage with the default media types; ImageNotFound in `failures` becomes a NotFoundError", async () => {
        const found = recordedClient("us-east-1", () => ({
            body: {
                images: [
                    {
                        registryId: ACCOUNT,
                        repositoryName: "app",
                        imageId: { imageDigest: sha(single), imageTag: "1" },
                        imageManifest: single,
                        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
                    },
                ],
                failures: [],
            },
        }));
        const m = await readImageManifest({ repositoryName: "app", imageTag: "1", region: "us-east-1" }, found.client);
        assert.equal(m.imageDigest, sha(single));
        assert.equal(found.requests.length, 1);
        assert.deepEqual(found.requests[0].body.imageIds, [{ imageTag: "1" }]);
        assert.deepEqual(found.requests[0].body.acceptedMediaTypes, [
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
        ]);

        const missing = recordedClient("us-east-1", () => ({
            body: {
                images: [],
                failures: [{ imageId: { imageTag: "9" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" }],
            },
        }));
        await assert.rejects(readImageManifest({ repositoryName: "app", imageTag: "9", region: "us-east-1" }, missing.client), {
            name: "NotFoundError",
            message:
                'ECR Image (app:9) not found: repository "app" has no image tagged "9" (ECR: ImageNotFound: Requested image not found)',
        });
        const other = recordedClient("us-east-1", () => ({
            body: { images: [], failures: [{ imageId: { imageTag: "9" }, failureCode: "KmsError", failureReason: "key disabled" }] },
        }));
        await assert.rejects(readImageManifest({ repositoryName: "app", imageTag: "9", region: "us-east-1" }, other.client), {
            name: "EcrError",
            message: "reading the manifest of ECR Image (app:9): KmsError: key disabled",
        });
    });
});

describe("getAuthorizationToken", () => {
    let restoreEnv: () => void;
    beforeEach(() => (restoreEnv = withoutEndpointOverride()));
    afterEach(() => restoreEnv());

    it("decodes user and password (which may hold ':'), and builds a docker config keyed by registry host", async () => {
        const token = Buffer.from("AWS:pa:ss=word").toString("base64");
        const { client, requests } = recordedClient("eu-west-1", () => ({
            body: {
                authorizationData: [
                    {
                        authorizationToken: token,
                        expiresAt: 1700043200,
                        proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
                    },
                ],
            },
        }));
        const t = await readAuthorizationToken({ registryId: ACCOUNT, region: "eu-west-1" }, client);
        assert.deepEqual(
            requests.map((r) => r.body),
            [{ registryIds: [ACCOUNT] }],
        );
        assert.equal(t.userName, "AWS");
        assert.equal(t.password, "pa:ss=word");
        assert.equal(t.authorizationToken, token);
        assert.equal(t.expiresAt, "2023-11-15T10:13:20.000Z");
        assert.equal(t.proxyEndpoint, `https://${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`);
        assert.deepEqual(JSON.parse(t.dockerConfigJson), { auths: { [`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`]: { auth: token } } });
        assert.equal(t.registryId, ACCOUNT);
        assert.equal(t.id, "eu-west-1");
    });

    it("asks for no particular registry unless told to", async () => {
        const { client, requests } = recordedClient("us-east-1", () => ({
            body: {
                authorizationData: [
                    { authorizationToken: Buffer.from("AWS:x").toString("base64"), expiresAt: 1, proxyEndpoint: "https://r" },
                ],
            },
        }));
        const t = await readAuthorizationToken({ region: "us-east-1" }, client);
        assert.deepEqual(requests[0].body, {});
        assert.equal(t.registryId, undefined);
    });
});

describe("layers", () => {
    let restoreEnv: () => void;
    beforeEach(() => (restoreEnv = withoutEndpointOverride()));
    afterEach(() => restoreEnv());

    const digestN = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;

    it("asks at most 100 distinct digests per call and answers in the order asked", async () => {
        const held = new Set([digestN(3), digestN(150), digestN(249)]);
        const { client, requests } = recordedClient("us-east-1", (_op, body) => ({
            body: {
                layers: body.layerDigests
                    .filter((x: string) => held.has(x))
                    .map((x: string) => ({ layerDigest: x, layerAvailability: "AVAILABLE", layerSize: 42, mediaType: "m" })),
                failures: body.layerDigests
                    .filter((x: string) => !held.has(x))
                    .map((x: string) => ({ layerDigest: x, failureCode: "MissingLayerDigest", failureReason: "Could not find layer" })),
            },
        }));
        const asked = [...Array.from({ length: 250 }, (_, i) => digestN(i)), digestN(3), digestN(0)];
        const out = await readLayerAvailability({ repositoryName: "app", layerDigests: asked, region: "us-east-1" }, client);
        assert.deepEqual(
            requests.map((r) => r.body.layerDigests.length),
            [LAYER_BATCH_SIZE, LAYER_BATCH_SIZE, 50],
        );
        assert.equal(out.layers.length, 250, "duplicates asked once");
        assert.deepEqual(
            out.layers.map((l) => l.layerDigest),
            asked.slice(0, 250),
        );
        assert.deepEqual(
            out.layers.filter((l) => l.available).map((l) => l.layerDigest),
            [digestN(3), digestN(150), digestN(249)],
        );
        assert.deepEqual(out.layers[3], {
            layerDigest: digestN(3),
            available: true,
            layerAvailability: "AVAILABLE",
            layerSize: 42,
            mediaType: "m",
        });
        assert.deepEqual(out.layers[0], {
            layerDigest: digestN(0),
            available: false,
            failureCode: "MissingLayerDigest",
            failureReason: "Could not find layer",
        });
        assert.equal(out.failures.length, 247);
        assert.equal(out.allAvailable, false);
        assert.equal(out.missingLayerDigests.length, 247);
    });

    it("a layer the repository does not hold is a NotFoundError naming repository and digest", async () => {
        const { client } = recordedClient("us-east-1", () => ({ error: "LayersNotFoundException", message: "The layers do not exist" }));
        await assert.rejects(readLayerDownloadUrl({ repositoryName: "app", layerDigest: d("9"), region: "us-east-1" }, client), {
            name: "NotFoundError",
            message: `ECR Layer (app@${d("9")}) not found: repository "app" holds no layer with that digest`,
        });
    });
});

describe("repositoryUri: the URL ECR reports, asked at most once per repository", () => {
    let restoreEnv: () => void;
    beforeEach(() => {
        restoreEnv = withoutEndpointOverride();
        resetRepositoryUris();
    });
    afterEach(() => restoreEnv());

    it("on AWS: <registry>.dkr.ecr.<region>.<partition suffix>/<name>, derived with no call", async () => {
        const { client, requests } = recordedClient("us-iso-east-1", () => ({ error: "AccessDeniedException" }));
        assert.equal(await repositoryUri(client, ACCOUNT, "us-iso-east-1", "a/b"), `${ACCOUNT}.dkr.ecr.us-iso-east-1.c2s.ic.gov/a/b`);
        assert.deepEqual(requests, []);
        client.destroy();
    });

    it("behind an endpoint override (a VPC endpoint, a proxy): the repositoryUri DescribeRepositories reports, asked once", async () => {
        // A VPC endpoint for the API: the registry host ECR reports has nothing to do with the API host.
        const reported = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app`;
        const { client, requests } = recordedClient("us-east-1", (op, body) =>
            op === "DescribeRepositories"
                ? { body: { repositories: [{ repositoryName: body.repositoryNames[0], registryId: ACCOUNT, repositoryUri: reported }] } }
                : { error: "AccessDeniedException" },
        );
        process.env.AWS_ENDPOINT_URL_ECR = "https://vpce-0abc-ecr-api.us-east-1.vpce.amazonaws.com";
        assert.equal(await repositoryUri(client, ACCOUNT, "us-east-1", "app"), reported);
        assert.equal(await repositoryUri(client, ACCOUNT, "us-east-1", "app"), reported);
        assert.deepEqual(
            requests.map((r) => [r.operation, r.body.repositoryNames, r.body.registryId]),
            [["DescribeRepositories", ["app"], ACCOUNT]],
        );
        process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true";
        assert.equal(await repositoryUri(client, ACCOUNT, "us-east-1", "other"), `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/other`);
        assert.equal(requests.length, 1, "AWS's own endpoint needs no call");
        client.destroy();
    });

    it("a failed DescribeRepositories is an error in the one format, and is not remembered", async () => {
        let fail = true;
        const { client, requests } = recordedClient("us-east-1", (_op, body) =>
            fail
                ? { error: "AccessDeniedException", message: "not allowed" }
                : { body: { repositories: [{ repositoryName: body.repositoryNames[0], repositoryUri: "proxy.example:5000/app" }] } },
        );
        process.env.AWS_ENDPOINT_URL_ECR = "http://127.0.0.1:4510";
        await assert.rejects(repositoryUri(client, ACCOUNT, "us-east-1", "app"), /reading ECR Repository \(app\): AccessDeniedException/);
        fail = false;
        assert.equal(await repositoryUri(client, ACCOUNT, "us-east-1", "app"), "proxy.example:5000/app");
        assert.equal(requests.length, 2);
        client.destroy();
    });
});

/**
 * Data-source arguments are checked before any AWS call: every bad argument gives an
 * InputPropertiesError whose message and `errors` name that argument, and ECRClient.send is never
 * reached (noAwsCalls fails the test if it is). Each group also shows that good arguments do get
 * as far as the AWS call, so a rejection is the check's doing, not something else's.
 */
import * as assert from "node:assert/strict";
import { InputPropertiesError } from "@pulumi/pulumi/errors";
import * as ecr from "../../sdk";
import { noAwsCalls } from "../helpers/noAws";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const GOOD_REPO = "team/app-api";

/** Asserts `call()` rejects as bad input naming `property` (and, if given, matching `reason`), with no AWS call. */
async function rejectsNaming(call: () => Promise<unknown>, property: string, reason?: RegExp): Promise<void> {
    let err: unknown;
    try {
        await call();
    } catch (e) {
        err = e;
    }
    assert.ok(err, `expected a rejection naming ${property}`);
    assert.ok(InputPropertiesError.isInstance(err), `expected InputPropertiesError, got ${String(err)}`);
    const e = err as InputPropertiesError;
    const hit = e.errors.find((x) => x.propertyPath.split(" | ").includes(property));
    assert.ok(hit, `no error for ${property} in ${JSON.stringify(e.errors)}`);
    assert.ok(e.message.includes(`\`${property}`), `message does not name ${property}: ${e.message}`);
    if (reason) assert.match(hit.reason, reason);
}

/** Asserts good arguments pass the checks: the call goes on to ask AWS (which noAwsCalls refuses). */
async function reachesAws(call: () => Promise<unknown>): Promise<void> {
    await assert.rejects(call(), /unexpected AWS call/);
}

describe("data-source arguments are checked before any AWS call", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    describe("getImage", () => {
        it("accepts one selector", async () => {
            await reachesAws(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "1.4.2", region: "us-east-1" }));
            await reachesAws(() => ecr.getImage({ repositoryName: GOOD_REPO, imageDigest: DIGEST, region: "us-east-1" }));
            await reachesAws(() => ecr.getImage({ repositoryName: GOOD_REPO, mostRecent: true, region: "us-east-1" }));
            await reachesAws(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "x", mostRecent: false, region: "us-east-1" }));
        });
        it("wants exactly one of imageTag, imageDigest, mostRecent", async () => {
            await rejectsNaming(
                () => ecr.getImage({ repositoryName: GOOD_REPO }),
                "imageTag",
                /exactly one of `imageTag`, `imageDigest`, `mostRecent`/,
            );
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, mostRecent: false }), "mostRecent", /exactly one/);
            await rejectsNaming(
                () => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "a", imageDigest: DIGEST }),
                "imageDigest",
                /not `imageTag` and `imageDigest`/,
            );
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "a", mostRecent: true }), "mostRecent");
        });
        it("checks the digest format, the tag, the repository name, the registry id and the region", async () => {
            await rejectsNaming(
                () => ecr.getImage({ repositoryName: GOOD_REPO, imageDigest: "sha256:abc" }),
                "imageDigest",
                /sha256:<64 lower-case hex digits>/,
            );
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageDigest: `sha256:${"AB".repeat(32)}` }), "imageDigest");
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageDigest: "ab".repeat(32) }), "imageDigest");
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "" }), "imageTag");
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "t".repeat(301) }), "imageTag", /1 to 300/);
            await rejectsNaming(
                () => ecr.getImage({ repositoryName: "App", imageTag: "x" }),
                "repositoryName",
                /not a valid repository name/,
            );
            await rejectsNaming(() => ecr.getImage({ repositoryName: "a", imageTag: "x" }), "repositoryName", /2 to 256/);
            await rejectsNaming(() => ecr.getImage({ repositoryName: undefined as any, imageTag: "x" }), "repositoryName");
            await rejectsNaming(
                () => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "x", registryId: "12345" }),
                "registryId",
                /12-digit/,
            );
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, imageTag: "x", region: "mars" }), "region");
            await rejectsNaming(() => ecr.getImage({ repositoryName: GOOD_REPO, mostRecent: "yes" as any }), "mostRecent");
        });
        it("reports every bad argument at once", async () => {
            await assert.rejects(
                ecr.getImage({ repositoryName: "Bad Name", imageDigest: "nope", registryId: "x" }),
                (e: InputPropertiesError) => {
                    assert.deepEqual(e.errors.map((x) => x.propertyPath).sort(), ["imageDigest", "registryId", "repositoryName"]);
                    assert.match(e.message, /^invalid arguments to getImage: /);
                    return true;
                },
            );
        });
    });

    describe("getImages", () => {
        it("accepts its filters", async () => {
            await reachesAws(() =>
                ecr.getImages({
                    repositoryName: GOOD_REPO,
                    tagStatus: "TAGGED",
                    tagPattern: "v1.*",
                    pushedAfter: "2024-05-01T00:00:00Z",
                    limit: 5,
                    region: "us-east-1",
                }),
            );
            await reachesAws(() => ecr.getImages({ repositoryName: GOOD_REPO, pushedAfter: 1714521600, region: "us-east-1" }));
        });
        it("rejects bad filters by name", async () => {
            await rejectsNaming(
                () => ecr.getImages({ repositoryName: GOOD_REPO, tagStatus: "SOME" as any }),
                "tagStatus",
                /"TAGGED", "UNTAGGED", "ANY"/,
            );
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, tagPattern: "" }), "tagPattern");
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, tagPattern: "v1/*" }), "tagPattern");
            await rejectsNaming(
                () => ecr.getImages({ repositoryName: GOOD_REPO, tagPattern: "v1*", tagStatus: "UNTAGGED" }),
                "tagPattern",
                /UNTAGGED/,
            );
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, pushedAfter: "yesterday" }), "pushedAfter", /ISO 8601/);
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, pushedAfter: Number.NaN }), "pushedAfter");
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, limit: 0 }), "limit");
            await rejectsNaming(() => ecr.getImages({ repositoryName: GOOD_REPO, limit: 2.5 }), "limit");
            await rejectsNaming(() => ecr.getImages({ repositoryName: "-bad" }), "repositoryName");
        });
    });

    describe("getImageManifest", () => {
        it("accepts a tag or a digest and a list of media types", async () => {
            await reachesAws(() => ecr.getImageManifest({ repositoryName: GOOD_REPO, imageTag: "1", region: "us-east-1" }));
            await reachesAws(() =>
                ecr.getImageManifest({
                    repositoryName: GOOD_REPO,
                    imageDigest: DIGEST,
                    acceptedMediaTypes: ["application/vnd.oci.image.manifest.v1+json"],
                    region: "us-east-1",
                }),
            );
        });
        it("rejects a missing or double selector, a bad digest and an empty media-type list", async () => {
            await rejectsNaming(
                () => ecr.getImageManifest({ repositoryName: GOOD_REPO }),
                "imageTag",
                /exactly one of `imageTag`, `imageDigest`/,
            );
            await rejectsNaming(
                () => ecr.getImageManifest({ repositoryName: GOOD_REPO, imageTag: "1", imageDigest: DIGEST }),
                "imageDigest",
            );
            await rejectsNaming(() => ecr.getImageManifest({ repositoryName: GOOD_REPO, imageDigest: "sha512:00" }), "imageDigest");
            await rejectsNaming(
                () => ecr.getImageManifest({ repositoryName: GOOD_REPO, imageTag: "1", acceptedMediaTypes: [] }),
                "acceptedMediaTypes",
                /non-empty/,
            );
            await rejectsNaming(
                () => ecr.getImageManifest({ repositoryName: GOOD_REPO, imageTag: "1", acceptedMediaTypes: ["json"] }),
                "acceptedMediaTypes[0]",
            );
        });
    });

    describe("getLayerAvailability and getLayerDownloadUrl", () => {
        it("accept digests", async () => {
            await reachesAws(() => ecr.getLayerAvailability({ repositoryName: GOOD_REPO, layerDigests: [DIGEST], region: "us-east-1" }));
            await reachesAws(() => ecr.getLayerDownloadUrl({ repositoryName: GOOD_REPO, layerDigest: DIGEST, region: "us-east-1" }));
        });
        it("reject an empty list and name the bad digest by position", async () => {
            await rejectsNaming(
                () => ecr.getLayerAvailability({ repositoryName: GOOD_REPO, layerDigests: [] }),
                "layerDigests",
                /non-empty list/,
            );
            await rejectsNaming(
                () => ecr.getLayerAvailability({ repositoryName: GOOD_REPO, layerDigests: undefined as any }),
                "layerDigests",
            );
            await rejectsNaming(
                () => ecr.getLayerAvailability({ repositoryName: GOOD_REPO, layerDigests: [DIGEST, "sha256:xyz"] }),
                "layerDigests[1]",
                /"sha256:xyz"/,
            );
            await rejectsNaming(() => ecr.getLayerDownloadUrl({ repositoryName: GOOD_REPO, layerDigest: "latest" }), "layerDigest");
            await rejectsNaming(() => ecr.getLayerDownloadUrl({ repositoryName: "UPPER", layerDigest: DIGEST }), "repositoryName");
        });
    });

    describe("getRepository, getRepositories, getAuthorizationToken", () => {
        it("accept good arguments", async () => {
            await reachesAws(() => ecr.getRepository({ name: GOOD_REPO, region: "us-east-1" }));
            await reachesAws(() => ecr.getRepositories({ region: "us-east-1" }));
            await reachesAws(() => ecr.getAuthorizationToken({ registryId: "123456789012", region: "us-east-1" }));
        });
        it("reject bad ones by name", async () => {
            await rejectsNaming(() => ecr.getRepository({ name: "x" }), "name");
            await rejectsNaming(() => ecr.getRepository({ name: GOOD_REPO, registryId: "abc" }), "registryId");
            await rejectsNaming(() => ecr.getRepositories({ namesOnly: "no" as any }), "namesOnly");
            await rejectsNaming(() => ecr.getRepositories({ region: "US-EAST-1" }), "region");
            await rejectsNaming(() => ecr.getAuthorizationToken({ registryId: "1234567890123" }), "registryId");
        });
    });
});

/**
 * Conformance of the local ECR endpoint against moto, a peer nobody here wrote. Every case runs
 * the same calls on both; `same` cases must agree after normalisation (see harness.ts), and each
 * judges the local answer against the ECR API reference too. Where moto departs from the
 * reference (KNOWN_DIVERGENCES) the case checks the local endpoint against the reference and
 * asserts that moto still departs from it.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { randomName } from "../../helpers/names";
import { KNOWN_DIVERGENCES, type DivergenceId } from "../../conformance/divergences";
import { OCI_CONFIG, pushImage, sha256 } from "../../conformance/fixtures";
import { ACCOUNT_ID, type Observation, type Target, assertSame, errorName, observe, ok, startTargets } from "../../conformance/harness";

type Json = Record<string, any>;

/** The value of a call, or `{ error: name }`, so a scenario can record several steps. */
async function attempt<T>(p: Promise<T>): Promise<T | { error: string }> {
    try {
        const out = (await p) as Json;
        if (out && typeof out === "object") delete out.$metadata;
        return out as T;
    } catch (e) {
        return { error: (e as Error).name };
    }
}

const LIFECYCLE = JSON.stringify({
    rules: [
        {
            rulePriority: 1,
            description: "expire untagged images beyond the newest five",
            selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 5 },
            action: { type: "expire" },
        },
    ],
});

const POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: ["ecr:BatchGetImage"] }],
});

describe("ECR API conformance: local endpoint vs moto", function () {
    this.timeout(60_000);
    let t: { local: Target; moto: Target };

    before(async () => {
        t = await startTargets();
    });
    after(async () => {
        await Promise.all([t?.local.stop(), t?.moto.stop()]);
    });

    async function repo(x: Target, label: string, extra: Partial<c.CreateRepositoryCommandInput> = {}): Promise<string> {
        const name = randomName(label);
        await x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: name, ...extra }));
        return name;
    }

    /** Both endpoints must agree; `check` then holds the local answer to the reference. */
    function same(title: string, scenario: (x: Target) => Promise<unknown>, check?: (local: Observation) => void): void {
        it(title, async () => {
            const local = await observe(() => scenario(t.local));
            const moto = await observe(() => scenario(t.moto));
            assertSame(local, moto);
            check?.(local);
        });
    }

    /** The local endpoint follows the reference; moto is asserted to still diverge as recorded. */
    function divergent(
        id: DivergenceId,
        title: string,
        scenario: (x: Target) => Promise<unknown>,
        reference: (obs: Observation) => void,
    ): void {
        it(`${title} (moto diverges: ${KNOWN_DIVERGENCES[id]})`, async () => {
            reference(await observe(() => scenario(t.local)));
            const moto = await observe(() => scenario(t.moto));
            assert.throws(
                () => reference(moto),
                assert.AssertionError,
                `moto now follows the reference here; remove '${id}' from KNOWN_DIVERGENCES`,
            );
        });
    }

    describe("repositories", () => {
        same(
            "CreateRepository returns the full repository shape with ECR's defaults",
            async (x) => x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: randomName("defaults") })),
            (obs) => {
                const r = ok<Json>(obs).repository;
                assert.equal(r.imageTagMutability, "MUTABLE");
                assert.deepEqual(r.encryptionConfiguration, { encryptionType: "AES256" });
                assert.deepEqual(r.imageScanningConfiguration, { scanOnPush: false });
                assert.equal(r.repositoryArn, `arn:aws:ecr:us-east-1:${ACCOUNT_ID}:repository/${r.repositoryName}`);
                assert.ok(r.createdAt instanceof Date);
            },
        );

        same(
            "CreateRepository keeps every setting, and DescribeRepositories and ListTagsForResource read them back",
            async (x) => {
                const name = randomName("settings");
                const created = await x.ecr.send(
                    new c.CreateRepositoryCommand({
                        repositoryName: name,
                        imageTagMutability: "IMMUTABLE",
                        imageScanningConfiguration: { scanOnPush: true },
                        encryptionConfiguration: { encryptionType: "KMS", kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/my-key` },
                        tags: [
                            { Key: "team", Value: "platform" },
                            { Key: "env", Value: "" },
                        ],
                    }),
                );
                const described = await x.ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }));
                const tags = await x.ecr.send(new c.ListTagsForResourceCommand({ resourceArn: created.repository!.repositoryArn }));
                return { created: created.repository, described: described.repositories, tags: tags.tags };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.deepEqual(o.described, [o.created]);
                assert.equal(o.created.imageTagMutability, "IMMUTABLE");
                assert.deepEqual(o.tags, [
                    { Key: "team", Value: "platform" },
                    { Key: "env", Value: "" },
                ]);
            },
        );

        same("CreateRepository keeps MUTABLE_WITH_EXCLUSION filters", (x) =>
            x.ecr.send(
                new c.CreateRepositoryCommand({
                    repositoryName: randomName("exclusion"),
                    imageTagMutability: "MUTABLE_WITH_EXCLUSION",
                    imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "release-*" }],
                }),
            ),
        );

        same(
            "CreateRepository of an existing name is RepositoryAlreadyExistsException",
            async (x) => {
                const name = await repo(x, "dup");
                return x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: name }));
            },
            (obs) => assert.equal(errorName(obs), "RepositoryAlreadyExistsException"),
        );

        same(
            "CreateRepository with a name outside the pattern is InvalidParameterException",
            (x) => x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: "Upper_Case/Name" })),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "CreateRepository with MUTABLE plus exclusion filters is InvalidParameterException",
            (x) =>
                x.ecr.send(
                    new c.CreateRepositoryCommand({
                        repositoryName: randomName("badfilters"),
                        imageTagMutability: "MUTABLE",
                        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
                    }),
                ),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "DescribeRepositories of a missing name is RepositoryNotFoundException",
            (x) => x.ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: [randomName("missing")] })),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );

        same(
            "DeleteRepository returns the repository, after which it is gone",
            async (x) => {
                const name = await repo(x, "delete");
                const deleted = await x.ecr.send(new c.DeleteRepositoryCommand({ repositoryName: name }));
                const after = await attempt(x.ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] })));
                return { deleted: deleted.repository, after };
            },
            (obs) => assert.deepEqual(ok<Json>(obs).after, { error: "RepositoryNotFoundException" }),
        );

        same(
            "DeleteRepository of a repository with images needs force",
            async (x) => {
                const name = await repo(x, "notempty");
                await pushImage(x.ecr, name, { tag: "v1", label: "notempty", uploadBlobs: x.layerApi });
                const without = await attempt(x.ecr.send(new c.DeleteRepositoryCommand({ repositoryName: name })));
                const forced = await attempt(x.ecr.send(new c.DeleteRepositoryCommand({ repositoryName: name, force: true })));
                return { without, forced: "error" in forced ? forced : forced.repository?.repositoryName === name };
            },
            (obs) => assert.deepEqual(ok(obs), { without: { error: "RepositoryNotEmptyException" }, forced: true }),
        );

        same(
            "DeleteRepository of a missing repository is RepositoryNotFoundException",
            (x) => x.ecr.send(new c.DeleteRepositoryCommand({ repositoryName: randomName("gone") })),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );

        same(
            "PutImageTagMutability answers with the new setting and DescribeRepositories shows it",
            async (x) => {
                const name = await repo(x, "mutability");
                const put = await x.ecr.send(new c.PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }));
                const d = await x.ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }));
                return { put, now: d.repositories![0].imageTagMutability };
            },
            (obs) => assert.equal(ok<Json>(obs).now, "IMMUTABLE"),
        );

        same(
            "PutImageTagMutability on a missing repository is RepositoryNotFoundException",
            (x) => x.ecr.send(new c.PutImageTagMutabilityCommand({ repositoryName: randomName("gone"), imageTagMutability: "MUTABLE" })),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );

        same(
            "PutImageScanningConfiguration answers with the new setting and DescribeRepositories shows it",
            async (x) => {
                const name = await repo(x, "scanning");
                const put = await x.ecr.send(
                    new c.PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }),
                );
                const d = await x.ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }));
                return { put, now: d.repositories![0].imageScanningConfiguration };
            },
            (obs) => assert.deepEqual(ok<Json>(obs).now, { scanOnPush: true }),
        );
    });

    describe("tags", () => {
        same(
            "TagResource merges, UntagResource removes, ListTagsForResource lists",
            async (x) => {
                const name = await repo(x, "tags", { tags: [{ Key: "a", Value: "1" }] });
                const arn = `arn:aws:ecr:us-east-1:${ACCOUNT_ID}:repository/${name}`;
                await x.ecr.send(
                    new c.TagResourceCommand({
                        resourceArn: arn,
                        tags: [
                            { Key: "a", Value: "2" },
                            { Key: "b", Value: "3" },
                        ],
                    }),
                );
                const afterTag = await x.ecr.send(new c.ListTagsForResourceCommand({ resourceArn: arn }));
                await x.ecr.send(new c.UntagResourceCommand({ resourceArn: arn, tagKeys: ["a", "not-there"] }));
                const afterUntag = await x.ecr.send(new c.ListTagsForResourceCommand({ resourceArn: arn }));
                return { afterTag: afterTag.tags, afterUntag: afterUntag.tags };
            },
            (obs) =>
                assert.deepEqual(ok(obs), {
                    afterTag: [
                        { Key: "a", Value: "2" },
                        { Key: "b", Value: "3" },
                    ],
                    afterUntag: [{ Key: "b", Value: "3" }],
                }),
        );

        same(
            "ListTagsForResource with a malformed ARN is InvalidParameterException",
            (x) => x.ecr.send(new c.ListTagsForResourceCommand({ resourceArn: "not-an-arn" })),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "TagResource on a missing repository's ARN is RepositoryNotFoundException",
            (x) =>
                x.ecr.send(
                    new c.TagResourceCommand({
                        resourceArn: `arn:aws:ecr:us-east-1:${ACCOUNT_ID}:repository/${randomName("gone")}`,
                        tags: [{ Key: "k", Value: "v" }],
                    }),
                ),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );
    });

    describe("policies", () => {
        same(
            "Set/Get/DeleteRepositoryPolicy round trip, then the policy is gone",
            async (x) => {
                const name = await repo(x, "policy");
                const set = await attempt(x.ecr.send(new c.SetRepositoryPolicyCommand({ repositoryName: name, policyText: POLICY })));
                const got = await attempt(x.ecr.send(new c.GetRepositoryPolicyCommand({ repositoryName: name })));
                const deleted = await attempt(x.ecr.send(new c.DeleteRepositoryPolicyCommand({ repositoryName: name })));
                const getAfter = await attempt(x.ecr.send(new c.GetRepositoryPolicyCommand({ repositoryName: name })));
                const deleteAfter = await attempt(x.ecr.send(new c.DeleteRepositoryPolicyCommand({ repositoryName: name })));
                return { set, got, deleted, getAfter, deleteAfter };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.got.policyText, POLICY);
                assert.equal(o.deleted.policyText, POLICY);
                assert.deepEqual(o.getAfter, { error: "RepositoryPolicyNotFoundException" });
                assert.deepEqual(o.deleteAfter, { error: "RepositoryPolicyNotFoundException" });
            },
        );

        same(
            "SetRepositoryPolicy with a document that is no policy is InvalidParameterException",
            async (x) =>
                x.ecr.send(new c.SetRepositoryPolicyCommand({ repositoryName: await repo(x, "badpolicy"), policyText: '{"x":1}' })),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "Put/Get/DeleteLifecyclePolicy round trip, then the policy is gone",
            async (x) => {
                const name = await repo(x, "lifecycle");
                const put = await attempt(
                    x.ecr.send(new c.PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: LIFECYCLE })),
                );
                const got = (await attempt(x.ecr.send(new c.GetLifecyclePolicyCommand({ repositoryName: name })))) as Json;
                delete got.lastEvaluatedAt; // see KNOWN_DIVERGENCES.lifecycleLastEvaluatedAt
                const deleted = (await attempt(x.ecr.send(new c.DeleteLifecyclePolicyCommand({ repositoryName: name })))) as Json;
                delete deleted.lastEvaluatedAt;
                const getAfter = await attempt(x.ecr.send(new c.GetLifecyclePolicyCommand({ repositoryName: name })));
                const deleteAfter = await attempt(x.ecr.send(new c.DeleteLifecyclePolicyCommand({ repositoryName: name })));
                return { put, got, deleted, getAfter, deleteAfter };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.got.lifecyclePolicyText, LIFECYCLE);
                assert.deepEqual(o.getAfter, { error: "LifecyclePolicyNotFoundException" });
                assert.deepEqual(o.deleteAfter, { error: "LifecyclePolicyNotFoundException" });
            },
        );

        same(
            "PutLifecyclePolicy without rules is InvalidParameterException",
            async (x) =>
                x.ecr.send(
                    new c.PutLifecyclePolicyCommand({
                        repositoryName: await repo(x, "badlifecycle"),
                        lifecyclePolicyText: JSON.stringify({
                            description: "a policy document long enough to pass the length check, but with no rules at all",
                        }),
                    }),
                ),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "GetLifecyclePolicy on a missing repository is RepositoryNotFoundException",
            (x) => x.ecr.send(new c.GetLifecyclePolicyCommand({ repositoryName: randomName("gone") })),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );
    });

    describe("images", () => {
        /** DescribeImages without the members moto gets wrong (see imageSize, artifactMediaType). */
        async function details(x: Target, name: string): Promise<Json[]> {
            const out = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name }));
            return (out.imageDetails ?? [])
                .map(({ imageSizeInBytes: _s, artifactMediaType: _a, ...rest }) => rest as Json)
                .sort((a, b) => String(a.imageTags ?? "").localeCompare(String(b.imageTags ?? "")));
        }

        same(
            "PutImage answers with the image it stored",
            async (x) => {
                const name = await repo(x, "putimage");
                const pushed = await pushImage(x.ecr, name, { label: "putimage", uploadBlobs: x.layerApi });
                const again = await x.ecr.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
                await x.ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: pushed.manifest, imageTag: "v1" }));
                const after = await x.ecr.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
                return { before: again.images, after: after.images };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.deepEqual(o.before, []);
                assert.equal(o.after.length, 1);
                assert.equal(o.after[0].imageId.imageTag, "v1");
            },
        );

        same(
            "PutImage of the same manifest and tag again is ImageAlreadyExistsException",
            async (x) => {
                const name = await repo(x, "again");
                const pushed = await pushImage(x.ecr, name, { tag: "v1", label: "again", uploadBlobs: x.layerApi });
                return x.ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: pushed.manifest, imageTag: "v1" }));
            },
            (obs) => assert.equal(errorName(obs), "ImageAlreadyExistsException"),
        );

        same(
            "PutImage adds a second tag to an existing image",
            async (x) => {
                const name = await repo(x, "twotags");
                const pushed = await pushImage(x.ecr, name, { tag: "v1", label: "twotags", uploadBlobs: x.layerApi });
                await x.ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: pushed.manifest, imageTag: "latest" }));
                return details(x, name);
            },
            (obs) => {
                const d = ok<Json[]>(obs);
                assert.equal(d.length, 1);
                assert.deepEqual([...d[0].imageTags].sort(), ["latest", "v1"]);
            },
        );

        same(
            "PutImage of a manifest without any media type is InvalidParameterException",
            async (x) =>
                x.ecr.send(
                    new c.PutImageCommand({
                        repositoryName: await repo(x, "nomediatype"),
                        imageManifest: JSON.stringify({ schemaVersion: 2, config: {}, layers: [] }),
                        imageTag: "v1",
                    }),
                ),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "DescribeImages of a missing tag is ImageNotFoundException",
            async (x) =>
                x.ecr.send(new c.DescribeImagesCommand({ repositoryName: await repo(x, "notag"), imageIds: [{ imageTag: "nope" }] })),
            (obs) => assert.equal(errorName(obs), "ImageNotFoundException"),
        );

        same(
            "DescribeImages by tag finds the image",
            async (x) => {
                const name = await repo(x, "bytag");
                await pushImage(x.ecr, name, { tag: "v1", label: "bytag-1", uploadBlobs: x.layerApi });
                await pushImage(x.ecr, name, { tag: "v2", label: "bytag-2", uploadBlobs: x.layerApi });
                const out = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v2" }] }));
                return out.imageDetails!.map((i) => i.imageTags);
            },
            (obs) => assert.deepEqual(ok(obs), [["v2"]]),
        );

        same(
            "ListImages lists one id per tag",
            async (x) => {
                const name = await repo(x, "list");
                const a = await pushImage(x.ecr, name, { tag: "v1", label: "list-a", uploadBlobs: x.layerApi });
                await x.ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: a.manifest, imageTag: "latest" }));
                await pushImage(x.ecr, name, { tag: "v2", label: "list-b", uploadBlobs: x.layerApi });
                const out = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name }));
                return out.imageIds!.map((i) => i.imageTag).sort();
            },
            (obs) => assert.deepEqual(ok(obs), ["latest", "v1", "v2"]),
        );

        same(
            "BatchGetImage returns found images and reports missing tags as failures",
            async (x) => {
                const name = await repo(x, "batchget");
                await pushImage(x.ecr, name, { tag: "v1", label: "batchget", uploadBlobs: x.layerApi });
                return x.ecr.send(
                    new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }, { imageTag: "missing" }] }),
                );
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.images.length, 1);
                assert.deepEqual(o.failures, [
                    { imageId: { imageTag: "missing" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" },
                ]);
            },
        );

        same(
            "BatchDeleteImage by tag removes that tag; missing and empty ids are failures",
            async (x) => {
                const name = await repo(x, "batchdelete");
                await pushImage(x.ecr, name, { tag: "v1", label: "batchdelete-1", uploadBlobs: x.layerApi });
                await pushImage(x.ecr, name, { tag: "v2", label: "batchdelete-2", uploadBlobs: x.layerApi });
                const out = await x.ecr.send(
                    new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }, { imageTag: "zz" }, {}] }),
                );
                const left = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name }));
                return { deleted: out.imageIds, failures: out.failures, left: left.imageIds!.map((i) => i.imageTag) };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.deleted.length, 1);
                assert.deepEqual(
                    o.failures.map((f: Json) => f.failureCode),
                    ["ImageNotFound", "MissingDigestAndTag"],
                );
                assert.deepEqual(o.left, ["v2"]);
            },
        );

        same(
            "BatchDeleteImage by digest removes the image with all its tags",
            async (x) => {
                const name = await repo(x, "bydigest");
                await pushImage(x.ecr, name, { tag: "v1", label: "bydigest", uploadBlobs: x.layerApi });
                const listed = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name }));
                const digest = listed.imageIds![0].imageDigest!;
                const manifest = (
                    await x.ecr.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageDigest: digest }] }))
                ).images![0].imageManifest!;
                await x.ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: "v2" }));
                const out = await x.ecr.send(new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageDigest: digest }] }));
                const left = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name }));
                return { deleted: out.imageIds!.map((i) => i.imageTag).sort(), failures: out.failures, left: left.imageIds };
            },
            (obs) => assert.deepEqual(ok(obs), { deleted: ["v1", "v2"], failures: [], left: [] }),
        );

        same(
            "GetAuthorizationToken hands out an AWS:<password> token for the registry",
            (x) => x.ecr.send(new c.GetAuthorizationTokenCommand({})),
            (obs) => {
                const data = ok<Json>(obs).authorizationData;
                assert.equal(data.length, 1);
                assert.match(Buffer.from(data[0].authorizationToken, "base64").toString(), /^AWS:.+/);
            },
        );
    });

    describe("registry: registry policy, replication, scanning", () => {
        // Registry settings are one per endpoint and shared by every case: each scenario starts by
        // putting the registry into a known state instead of relying on the order cases run in.
        const registryPolicy = (actions: string[]) =>
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "replicate",
                        Effect: "Allow",
                        Principal: { AWS: "arn:aws:iam::210987654321:root" },
                        Action: actions,
                        Resource: "*",
                    },
                ],
            });
        const noRegistryPolicy = (x: Target) => attempt(x.ecr.send(new c.DeleteRegistryPolicyCommand({})));
        const destination = { region: "eu-west-1", registryId: ACCOUNT_ID };

        same(
            "GetRegistryPolicy without a policy is RegistryPolicyNotFoundException; Put, Get and Delete return the text",
            async (x) => {
                await noRegistryPolicy(x);
                const policyText = registryPolicy(["ecr:ReplicateImage", "ecr:CreateRepository"]);
                return {
                    missing: await attempt(x.ecr.send(new c.GetRegistryPolicyCommand({}))),
                    put: await x.ecr.send(new c.PutRegistryPolicyCommand({ policyText })),
                    got: await attempt(x.ecr.send(new c.GetRegistryPolicyCommand({}))),
                    deleted: await attempt(x.ecr.send(new c.DeleteRegistryPolicyCommand({}))),
                    again: await attempt(x.ecr.send(new c.DeleteRegistryPolicyCommand({}))),
                };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.deepEqual(o.missing, { error: "RegistryPolicyNotFoundException" });
                assert.equal(o.got.registryId, ACCOUNT_ID);
                assert.equal(o.deleted.policyText, o.put.policyText);
                assert.deepEqual(o.again, { error: "RegistryPolicyNotFoundException" });
            },
        );

        same(
            "PutRegistryPolicy refuses a document that is not an IAM policy of ECR actions",
            async (x) => ({
                notJson: await attempt(x.ecr.send(new c.PutRegistryPolicyCommand({ policyText: "{not json" }))),
                otherService: await attempt(x.ecr.send(new c.PutRegistryPolicyCommand({ policyText: registryPolicy(["s3:GetObject"]) }))),
            }),
            (obs) =>
                assert.deepEqual(ok(obs), {
                    notJson: { error: "InvalidParameterException" },
                    otherService: { error: "InvalidParameterException" },
                }),
        );

        same(
            "DescribeRegistry shows the replication configuration PutReplicationConfiguration stored, and empty rules clear it",
            async (x) => {
                const rules = [
                    { destinations: [destination], repositoryFilters: [{ filter: "prod", filterType: "PREFIX_MATCH" as const }] },
                ];
                const put = await x.ecr.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
                const described = await x.ecr.send(new c.DescribeRegistryCommand({}));
                await x.ecr.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
                const cleared = await x.ecr.send(new c.DescribeRegistryCommand({}));
                return { put, described, cleared };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.deepEqual(o.described.replicationConfiguration, o.put.replicationConfiguration);
                assert.equal(o.described.registryId, ACCOUNT_ID);
                assert.deepEqual(o.cleared.replicationConfiguration, { rules: [] });
            },
        );

        same(
            "PutReplicationConfiguration to the source registry itself is InvalidParameterException",
            (x) =>
                x.ecr.send(
                    new c.PutReplicationConfigurationCommand({
                        replicationConfiguration: { rules: [{ destinations: [{ region: "us-east-1", registryId: ACCOUNT_ID }] }] },
                    }),
                ),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        same(
            "PutRegistryScanningConfiguration stores scan type and rules, and GetRegistryScanningConfiguration reads them back",
            async (x) => {
                const basic = await x.ecr.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }));
                const rules = [
                    { scanFrequency: "SCAN_ON_PUSH" as const, repositoryFilters: [{ filter: "prod-*", filterType: "WILDCARD" as const }] },
                ];
                const enhanced = await x.ecr.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "ENHANCED", rules }));
                const got = await x.ecr.send(new c.GetRegistryScanningConfigurationCommand({}));
                await x.ecr.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }));
                return { basic, enhanced, got };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.deepEqual(o.basic.registryScanningConfiguration, { scanType: "BASIC", rules: [] });
                assert.equal(o.got.registryId, ACCOUNT_ID);
                assert.deepEqual(o.got.scanningConfiguration, o.enhanced.registryScanningConfiguration);
            },
        );

        divergent(
            "registryPolicyScope",
            "PutRegistryPolicy takes any ECR action under the default V2 registry policy scope",
            async (x) => {
                await noRegistryPolicy(x);
                const out = await x.ecr.send(
                    new c.PutRegistryPolicyCommand({ policyText: registryPolicy(["ecr:BatchGetImage", "ecr:CreateRepository"]) }),
                );
                await noRegistryPolicy(x);
                return out;
            },
            (obs) => assert.equal(ok<Json>(obs).registryId, ACCOUNT_ID),
        );

        divergent(
            "replicationMultipleRules",
            "PutReplicationConfiguration takes up to 10 rules",
            async (x) => {
                const rules = [{ destinations: [destination] }, { destinations: [{ region: "us-west-2", registryId: "210987654321" }] }];
                const out = await x.ecr.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
                await x.ecr.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
                return out;
            },
            (obs) => assert.equal(ok<Json>(obs).replicationConfiguration.rules.length, 2),
        );

        divergent(
            "registryScanningFrequency",
            "PutRegistryScanningConfiguration refuses CONTINUOUS_SCAN for the BASIC scan type",
            async (x) => {
                const out = await attempt(
                    x.ecr.send(
                        new c.PutRegistryScanningConfigurationCommand({
                            scanType: "BASIC",
                            rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
                        }),
                    ),
                );
                await x.ecr.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }));
                return out;
            },
            (obs) => assert.deepEqual(ok(obs), { error: "InvalidParameterException" }),
        );
    });

    describe("known divergences of moto, checked against the reference", () => {
        divergent(
            "describeRepositoriesPagination",
            "DescribeRepositories pages by maxResults with an opaque nextToken",
            async (x) => {
                const prefix = randomName("page");
                for (const i of [1, 2, 3]) await x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: `${prefix}/r${i}` }));
                const pages: number[] = [];
                const seen: string[] = [];
                let nextToken: string | undefined;
                for (let i = 0; i < 1000; i++) {
                    const out = await x.ecr.send(new c.DescribeRepositoriesCommand({ maxResults: 1, nextToken }));
                    pages.push(out.repositories!.length);
                    seen.push(...out.repositories!.map((r) => r.repositoryName!));
                    nextToken = out.nextToken;
                    if (!nextToken) break;
                }
                return { pages, mine: seen.filter((n) => n.startsWith(prefix)).sort(), total: seen.length };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.ok(
                    o.pages.every((n: number) => n <= 1),
                    `pages of at most 1, got ${o.pages}`,
                );
                assert.equal(o.pages.length, o.total);
                assert.equal(o.mine.length, 3);
            },
        );

        async function threeImages(x: Target, label: string): Promise<string> {
            const name = await repo(x, label);
            for (const i of [1, 2, 3]) await pushImage(x.ecr, name, { tag: `v${i}`, label: `${label}-${i}`, uploadBlobs: x.layerApi });
            return name;
        }

        divergent(
            "describeImagesPagination",
            "DescribeImages pages by maxResults with an opaque nextToken",
            async (x) => {
                const name = await threeImages(x, "imgpage");
                const first = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name, maxResults: 2 }));
                const second = first.nextToken
                    ? await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name, maxResults: 2, nextToken: first.nextToken }))
                    : undefined;
                return {
                    first: first.imageDetails!.map((i) => i.imageTags![0]),
                    hasToken: Boolean(first.nextToken),
                    second: second?.imageDetails!.map((i) => i.imageTags![0]),
                    lastToken: second?.nextToken,
                };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.first.length, 2);
                assert.ok(o.hasToken);
                assert.equal(o.second.length, 1);
                assert.equal(o.lastToken, undefined);
                assert.deepEqual([...o.first, ...o.second].sort(), ["v1", "v2", "v3"]);
            },
        );

        divergent(
            "listImagesPagination",
            "ListImages pages by maxResults with an opaque nextToken",
            async (x) => {
                const name = await threeImages(x, "listpage");
                const first = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name, maxResults: 2 }));
                return { count: first.imageIds!.length, hasToken: Boolean(first.nextToken) };
            },
            (obs) => assert.deepEqual(ok(obs), { count: 2, hasToken: true }),
        );

        async function taggedAndUntagged(x: Target, label: string): Promise<string> {
            const name = await repo(x, label);
            await pushImage(x.ecr, name, { tag: "v1", label: `${label}-tagged`, uploadBlobs: x.layerApi });
            await pushImage(x.ecr, name, { label: `${label}-untagged`, uploadBlobs: x.layerApi });
            return name;
        }

        divergent(
            "describeImagesFilter",
            "DescribeImages filters by tagStatus",
            async (x) => {
                const name = await taggedAndUntagged(x, "filter");
                const tagged = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: "TAGGED" } }));
                const untagged = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: "UNTAGGED" } }));
                return {
                    tagged: tagged.imageDetails!.map((i) => i.imageTags ?? []),
                    untagged: untagged.imageDetails!.map((i) => i.imageTags ?? []),
                };
            },
            (obs) => assert.deepEqual(ok(obs), { tagged: [["v1"]], untagged: [[]] }),
        );

        divergent(
            "listImagesFilter",
            "ListImages filters by tagStatus",
            async (x) => {
                const name = await taggedAndUntagged(x, "listfilter");
                const untagged = await x.ecr.send(new c.ListImagesCommand({ repositoryName: name, filter: { tagStatus: "UNTAGGED" } }));
                return untagged.imageIds!.map((i) => i.imageTag ?? null);
            },
            (obs) => assert.deepEqual(ok(obs), [null]),
        );

        divergent(
            "retagDeletesOldImage",
            "PutImage moves a tag in a MUTABLE repository, leaving the old image untagged",
            async (x) => {
                const name = await repo(x, "retag");
                await pushImage(x.ecr, name, { tag: "v1", label: "retag-a", uploadBlobs: x.layerApi });
                await pushImage(x.ecr, name, { tag: "v1", label: "retag-b", uploadBlobs: x.layerApi });
                const d = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name }));
                return d.imageDetails!.map((i) => i.imageTags ?? []).sort((a, b) => a.length - b.length);
            },
            (obs) => assert.deepEqual(ok(obs), [[], ["v1"]]),
        );

        divergent(
            "imageDigest",
            "An image's digest is the sha256 of its manifest bytes",
            async (x) => {
                const name = await repo(x, "digest");
                const pushed = await pushImage(x.ecr, name, { tag: "v1", label: "digest", uploadBlobs: x.layerApi });
                const d = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name }));
                return { described: d.imageDetails![0].imageDigest, expected: sha256(pushed.manifest) };
            },
            (obs) => {
                const o = ok<Json>(obs);
                assert.equal(o.described, o.expected);
            },
        );

        divergent(
            "putImageDigestParameter",
            "PutImage with an imageDigest that is not the manifest's is ImageDigestDoesNotMatchException",
            async (x) => {
                const name = await repo(x, "digestparam");
                const pushed = await pushImage(x.ecr, name, { tag: "v1", label: "digestparam", uploadBlobs: x.layerApi });
                return x.ecr.send(
                    new c.PutImageCommand({
                        repositoryName: name,
                        imageManifest: pushed.manifest,
                        imageTag: "v2",
                        imageDigest: `sha256:${"0".repeat(64)}`,
                    }),
                );
            },
            (obs) => assert.equal(errorName(obs), "ImageDigestDoesNotMatchException"),
        );

        divergent(
            "imageSize",
            "imageSizeInBytes is the sum of the layers' sizes in the manifest",
            async (x) => {
                const name = await repo(x, "size");
                const pushed = await pushImage(x.ecr, name, { tag: "v1", label: "size", layerSize: 3000, uploadBlobs: x.layerApi });
                const d = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name }));
                return { size: d.imageDetails![0].imageSizeInBytes, layers: pushed.layersSize };
            },
            (obs) => assert.deepEqual(ok(obs), { size: 3000, layers: 3000 }),
        );

        divergent(
            "artifactMediaType",
            "DescribeImages reports artifactMediaType, the config's media type",
            async (x) => {
                const name = await repo(x, "artifact");
                await pushImage(x.ecr, name, { tag: "v1", label: "artifact", uploadBlobs: x.layerApi });
                const d = await x.ecr.send(new c.DescribeImagesCommand({ repositoryName: name }));
                return d.imageDetails![0].artifactMediaType;
            },
            (obs) => assert.equal(ok(obs), OCI_CONFIG),
        );

        divergent(
            "tokenExpiry",
            "GetAuthorizationToken's token expires 12 hours from now",
            (x) => x.ecr.send(new c.GetAuthorizationTokenCommand({})),
            (obs) => {
                const expiresAt = ok<Json>(obs).authorizationData[0].expiresAt as Date;
                assert.ok(Math.abs(expiresAt.getTime() - (Date.now() + 12 * 3600_000)) < 60_000, `expiresAt ${expiresAt.toISOString()}`);
            },
        );

        divergent(
            "layerOperations",
            "InitiateLayerUpload starts an upload with the part size ECR expects",
            async (x) => x.ecr.send(new c.InitiateLayerUploadCommand({ repositoryName: await repo(x, "initiate") })),
            (obs) => {
                const o = ok<Json>(obs);
                assert.match(o.uploadId, /.+/);
                assert.ok(o.partSize >= 5 * 1024 * 1024);
            },
        );

        divergent(
            "putImageLayersNotFound",
            "PutImage of a manifest whose layers were never uploaded is LayersNotFoundException",
            async (x) => pushImage(x.ecr, await repo(x, "nolayers"), { tag: "v1", label: "nolayers", uploadBlobs: false }),
            (obs) => assert.equal(errorName(obs), "LayersNotFoundException"),
        );

        divergent(
            "immutableTagError",
            "Moving a tag in an IMMUTABLE repository is ImageTagAlreadyExistsException",
            async (x) => {
                const name = await repo(x, "immutable", { imageTagMutability: "IMMUTABLE" });
                await pushImage(x.ecr, name, { tag: "v1", label: "immutable-a", uploadBlobs: x.layerApi });
                return pushImage(x.ecr, name, { tag: "v1", label: "immutable-b", uploadBlobs: x.layerApi });
            },
            (obs) => assert.equal(errorName(obs), "ImageTagAlreadyExistsException"),
        );

        divergent(
            "putImageMissingRepository",
            "PutImage into a missing repository is RepositoryNotFoundException",
            (x) => x.ecr.send(new c.PutImageCommand({ repositoryName: randomName("gone"), imageManifest: "{}", imageTag: "v1" })),
            (obs) => assert.equal(errorName(obs), "RepositoryNotFoundException"),
        );

        divergent(
            "repositoryNameLength",
            "CreateRepository of a one-character name is InvalidParameterException (2-256 characters)",
            (x) => x.ecr.send(new c.CreateRepositoryCommand({ repositoryName: "z" })),
            (obs) => assert.equal(errorName(obs), "InvalidParameterException"),
        );

        divergent(
            "imageFailureIdByDigest",
            "BatchGetImage echoes the digest of a missing image in its failure",
            async (x) =>
                x.ecr.send(
                    new c.BatchGetImageCommand({
                        repositoryName: await repo(x, "faildigest"),
                        imageIds: [{ imageDigest: `sha256:${"1".repeat(64)}` }],
                    }),
                ),
            (obs) => assert.deepEqual(ok<Json>(obs).failures[0].imageId, { imageDigest: `sha256:${"1".repeat(64)}` }),
        );

        divergent(
            "batchGetImageAcceptedMediaTypes",
            "BatchGetImage serves only the acceptedMediaTypes",
            async (x) => {
                const name = await repo(x, "accepted");
                await pushImage(x.ecr, name, { tag: "v1", label: "accepted", uploadBlobs: x.layerApi });
                const out = await x.ecr.send(
                    new c.BatchGetImageCommand({
                        repositoryName: name,
                        imageIds: [{ imageTag: "v1" }],
                        acceptedMediaTypes: ["application/vnd.docker.distribution.manifest.v2+json"],
                    }),
                );
                return { images: out.images!.length, failures: out.failures!.length };
            },
            (obs) => assert.deepEqual(ok(obs), { images: 0, failures: 1 }),
        );

        divergent(
            "lifecycleLastEvaluatedAt",
            "GetLifecyclePolicy has no lastEvaluatedAt while the policy has never run",
            async (x) => {
                const name = await repo(x, "evaluated");
                await x.ecr.send(new c.PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: LIFECYCLE }));
                return x.ecr.send(new c.GetLifecyclePolicyCommand({ repositoryName: name }));
            },
            (obs) => assert.equal(ok<Json>(obs).lastEvaluatedAt, undefined),
        );
    });
});

/**
 * check(): every bad input is caught before any AWS call, with a failure that names the property
 * and says how to fix it; defaults are filled so diff compares complete values.
 */
import * as assert from "node:assert/strict";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as repository from "../../provider/repository";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import { UNKNOWN } from "../../provider/validate";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { noAwsCalls } from "../helpers/noAws";
import { repositoryInputs } from "../helpers/repositoryFixtures";

const failuresOf = async (p: Pick<Required<dynamic.ResourceProvider>, "check">, news: object) =>
    ((await p.check({}, { region: "us-east-1", ...news })).failures ?? []) as { property: string; reason: string }[];

describe("Repository check", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    it("fills every default", async () => {
        const { inputs, failures } = await repository.check({}, { name: "app", region: "us-east-1", __provider: "x" });
        assert.deepEqual(failures, []);
        assert.deepEqual(inputs, {
            name: "app",
            imageTagMutability: "MUTABLE",
            imageTagMutabilityExclusionFilters: [],
            imageScanningConfiguration: { scanOnPush: false },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            forceDelete: false,
            adoptExisting: false,
            tags: {},
            region: "us-east-1",
        });
        // The fixture other unit tests build on is what check() fills.
        assert.deepEqual(inputs, repositoryInputs());
    });

    const cases: [string, object, string, RegExp][] = [
        ["an upper-case name", { name: "App" }, "name", /not a valid repository name/],
        ["a one-letter name", { name: "a" }, "name", /2 to 256 characters/],
        ["a name with a double separator", { name: "a--b" }, "name", /not a valid repository name/],
        ["an unknown mutability", { name: "app", imageTagMutability: "SOMETIMES" }, "imageTagMutability", /must be one of "MUTABLE"/],
        [
            "an exclusion mutability without filters",
            { name: "app", imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" },
            "imageTagMutabilityExclusionFilters",
            /needs at least one exclusion filter/,
        ],
        [
            "filters without an exclusion mutability",
            { name: "app", imageTagMutabilityExclusionFilters: [{ filter: "latest" }] },
            "imageTagMutabilityExclusionFilters",
            /apply only with/,
        ],
        [
            "a bad filter",
            { name: "app", imageTagMutability: "MUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: [{ filter: "a b" }] },
            "imageTagMutabilityExclusionFilters[0].filter",
            /letters, digits/,
        ],
        [
            "a KMS key with AES256",
            { name: "app", encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: "alias/x" }] },
            "encryptionConfigurations[0].kmsKey",
            /applies only with encryptionType "KMS"/,
        ],
        [
            "an unknown encryption type",
            { name: "app", encryptionConfigurations: [{ encryptionType: "ROT13" }] },
            "encryptionConfigurations[0].encryptionType",
            /must be one of/,
        ],
        ["two encryption entries", { name: "app", encryptionConfigurations: [{}, {}] }, "encryptionConfigurations", /at most one/],
        [
            "a non-boolean scanOnPush",
            { name: "app", imageScanningConfiguration: { scanOnPush: "yes" } },
            "imageScanningConfiguration.scanOnPush",
            /true or false/,
        ],
        ["a non-boolean adoptExisting", { name: "app", adoptExisting: "yes" }, "adoptExisting", /true or false/],
        ["a reserved tag name", { name: "app", tags: { "aws:owner": "x" } }, "tags.aws:owner", /reserved by AWS/],
        ["a non-string tag value", { name: "app", tags: { n: 1 } }, "tags.n", /must be strings/],
        ["a malformed region", { name: "app", region: "mars" }, "region", /AWS region such as "us-east-1"/],
    ];
    for (const [what, news, property, reason] of cases) {
        it(`rejects ${what}, naming ${property}`, async () => {
            const failures = await failuresOf(repository, news);
            const hit = failures.find((f) => f.property === property);
            assert.ok(hit, `no failure for ${property} in ${JSON.stringify(failures)}`);
            assert.match(hit.reason, reason);
        });
    }

    it("lets unknown values through during preview", async () => {
        const failures = await failuresOf(repository, { name: UNKNOWN, imageTagMutability: UNKNOWN, tags: UNKNOWN });
        assert.deepEqual(failures, []);
    });

    it("accepts KMS with a key, and KMS_DSSE", async () => {
        assert.deepEqual(
            await failuresOf(repository, { name: "app", encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "alias/ecr" }] }),
            [],
        );
        assert.deepEqual(await failuresOf(repository, { name: "app", encryptionConfigurations: [{ encryptionType: "KMS_DSSE" }] }), []);
    });
});

describe("RepositoryPolicy and LifecyclePolicy check", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    it("stores the policy as canonical JSON, whether given as text or object", async () => {
        const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] };
        const fromObject = await repositoryPolicy.check({}, { repository: "app", policy: doc, region: "us-east-1" });
        const fromText = await repositoryPolicy.check({}, { repository: "app", policy: JSON.stringify(doc, null, 2), region: "us-east-1" });
        assert.equal(
            fromObject.inputs.policy,
            '{"Statement":[{"Action":"ecr:BatchGetImage","Effect":"Allow","Principal":"*"}],"Version":"2012-10-17"}',
        );
        assert.equal(fromText.inputs.policy, fromObject.inputs.policy);
    });

    it("names the property for a missing repository, a bad name, bad JSON and a bad rule", async () => {
        const missing = await failuresOf(repositoryPolicy, { policy: "{}" });
        assert.ok(missing.some((f) => f.property === "repository" && /is required/.test(f.reason)));
        const badName = await failuresOf(lifecyclePolicy, { repository: "Bad Name", policy: '{"rules":[]}' });
        assert.ok(badName.some((f) => f.property === "repository"));
        const badJson = await failuresOf(repositoryPolicy, { repository: "app", policy: "{" });
        assert.ok(badJson.some((f) => f.property === "policy" && /not valid JSON/.test(f.reason)));
        const badRule = await failuresOf(lifecyclePolicy, {
            repository: "app",
            policy: {
                rules: [
                    {
                        rulePriority: 1,
                        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 0 },
                        action: { type: "expire" },
                    },
                ],
            },
        });
        assert.ok(
            badRule.some((f) => f.property === "policy" && /rules\[0\].selection.countNumber/.test(f.reason)),
            JSON.stringify(badRule),
        );
    });

    it("defers a policy that is not known yet (preview) and always reports it as a change", async () => {
        const { inputs, failures } = await repositoryPolicy.check(
            {},
            {
                repository: "app",
                policy: { Statement: [{ Effect: "Allow", Principal: { AWS: UNKNOWN }, Action: "ecr:*" }] },
                region: "us-east-1",
            },
        );
        assert.deepEqual(failures, []);
        assert.equal(inputs.policy, UNKNOWN);
        const d = await repositoryPolicy.diff(
            "app",
            { repository: "app", policy: "{}", region: "us-east-1", registryId: "1" },
            inputs as any,
        );
        assert.equal(d.changes, true);
    });
});

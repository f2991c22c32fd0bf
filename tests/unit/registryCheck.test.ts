/**
 * The registry-half resources' check() and diff(): every bad input is caught before any AWS call
 * (the ECR client throws if asked anything), with a failure naming the property and the fix;
 * diffs compare by meaning and replace exactly what ECR cannot change in place.
 */
import * as assert from "node:assert/strict";
import * as accountSetting from "../../provider/accountSetting";
import * as pullThroughCacheRule from "../../provider/pullThroughCacheRule";
import * as pullTimeUpdateExclusion from "../../provider/pullTimeUpdateExclusion";
import * as registryPolicy from "../../provider/registryPolicy";
import * as registryPolicyStatement from "../../provider/registryPolicyStatement";
import * as registryScanningConfiguration from "../../provider/registryScanningConfiguration";
import * as replicationConfiguration from "../../provider/replicationConfiguration";
import * as replicationRule from "../../provider/replicationRule";
import * as repositoryCreationTemplate from "../../provider/repositoryCreationTemplate";
import { UNKNOWN } from "../../provider/validate";
import { noAwsCalls } from "../helpers/noAws";

type P = {
    check: (olds: object, news: object) => Promise<{ inputs?: any; failures?: object[] }>;
    diff: (id: string, olds: any, news: any) => Promise<{ changes?: boolean; replaces?: string[] }>;
};
const checked = async (p: P, news: object) => p.check({}, { region: "us-east-1", __provider: "x", ...news });
const failuresOf = async (p: P, news: object) => ((await checked(p, news)).failures ?? []) as { property: string; reason: string }[];

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf";
const ROLE = "arn:aws:iam::123456789012:role/ecr";
const statement = {
    Sid: "Replicate",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111111111111:root" },
    Action: ["ecr:ReplicateImage", "ecr:CreateRepository"],
    Resource: "*",
};
const dest = { region: "eu-west-1", registryId: "111111111111" };
const lifecycle = {
    rules: [
        {
            rulePriority: 1,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
        },
    ],
};

const cases: [string, P, object, string, RegExp][] = [
    ["a registry policy that is not JSON", registryPolicy, { policy: "{" }, "policy", /not valid JSON/],
    [
        "a registry policy without Principal",
        registryPolicy,
        { policy: { Statement: [{ Effect: "Allow", Action: "ecr:*" }] } },
        "policy",
        /needs `Principal`/,
    ],
    ["a missing registry policy", registryPolicy, {}, "policy", /is required/],
    [
        "a statement without a Sid",
        registryPolicyStatement,
        { statement: { ...statement, Sid: undefined } },
        "statement.Sid",
        /is required.*key in the registry's shared policy/,
    ],
    ["a Sid with a dash", registryPolicyStatement, { statement: { ...statement, Sid: "a-b" } }, "statement.Sid", /letters and digits only/],
    [
        "a whole document as a statement",
        registryPolicyStatement,
        { statement: { Version: "2012-10-17", Sid: "X", Statement: [statement] } },
        "statement",
        /whole policy document; give one statement/,
    ],
    [
        "a statement with a bad Effect",
        registryPolicyStatement,
        { statement: { ...statement, Effect: "Maybe" } },
        "statement",
        /Effect must be "Allow" or "Deny"/,
    ],
    [
        "eleven replication rules",
        replicationConfiguration,
        {
            replicationConfiguration: {
                rules: Array.from({ length: 11 }, (_, i) => ({ destinations: [dest], repositoryFilters: [{ filter: `p${i}` }] })),
            },
        },
        "replicationConfiguration.rules",
        /at most 10 replication rules/,
    ],
    [
        "a rule without destinations",
        replicationConfiguration,
        { replicationConfiguration: { rules: [{ destinations: [] }] } },
        "replicationConfiguration.rules[0].destinations",
        /at least one/,
    ],
    [
        "a bad destination account",
        replicationConfiguration,
        { replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: "12" }] }] } },
        "replicationConfiguration.rules[0].destinations[0].registryId",
        /12-digit account id/,
    ],
    [
        "the same rule twice",
        replicationConfiguration,
        { replicationConfiguration: { rules: [{ destinations: [dest] }, { destinations: [dest] }] } },
        "replicationConfiguration.rules",
        /same rule twice/,
    ],
    [
        "26 destinations",
        replicationRule,
        { destinations: Array.from({ length: 26 }, (_, i) => ({ region: "eu-west-1", registryId: String(100000000000 + i) })) },
        "destinations",
        /at most 25 destinations/,
    ],
    [
        "a filter type other than PREFIX_MATCH",
        replicationRule,
        { destinations: [dest], repositoryFilters: [{ filter: "team", filterType: "WILDCARD" }] },
        "repositoryFilters[0].filterType",
        /"PREFIX_MATCH"/,
    ],
    [
        "an upper-case replication filter",
        replicationRule,
        { destinations: [dest], repositoryFilters: [{ filter: "Team" }] },
        "repositoryFilters[0].filter",
        /repository name prefix/,
    ],
    [
        "a bad destination region",
        replicationRule,
        { destinations: [{ region: "moon", registryId: "111111111111" }] },
        "destinations[0].region",
        /AWS region/,
    ],
    ["an unknown scan type", registryScanningConfiguration, { scanType: "DEEP" }, "scanType", /"BASIC", "ENHANCED"/],
    [
        "continuous scanning with BASIC",
        registryScanningConfiguration,
        { scanType: "BASIC", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*" }] }] },
        "rules[0].scanFrequency",
        /needs scanType "ENHANCED"/,
    ],
    [
        "a scanning rule without filters",
        registryScanningConfiguration,
        { scanType: "ENHANCED", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [] }] },
        "rules[0].repositoryFilters",
        /use filter "\*"/,
    ],
    [
        "Docker Hub without a credential",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "hub", upstreamRegistryUrl: "registry-1.docker.io" },
        "credentialArn",
        /is required for Docker Hub/,
    ],
    [
        "a credential for ECR Public",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "pub", upstreamRegistryUrl: "public.ecr.aws", credentialArn: SECRET },
        "credentialArn",
        /does not apply to Amazon ECR Public/,
    ],
    [
        "a credential for an ECR upstream",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "up", upstreamRegistryUrl: "111111111111.dkr.ecr.us-west-2.amazonaws.com", credentialArn: SECRET },
        "credentialArn",
        /through IAM/,
    ],
    [
        "a secret not named ecr-pullthroughcache/",
        pullThroughCacheRule,
        {
            ecrRepositoryPrefix: "hub",
            upstreamRegistryUrl: "registry-1.docker.io",
            credentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:hub",
        },
        "credentialArn",
        /ecr-pullthroughcache\//,
    ],
    [
        "a role for a non-ECR upstream",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "q", upstreamRegistryUrl: "quay.io", customRoleArn: ROLE },
        "customRoleArn",
        /only to an Amazon ECR upstream/,
    ],
    [
        "an upstream ECR cannot cache",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "x", upstreamRegistryUrl: "example.com" },
        "upstreamRegistryUrl",
        /ECR caches only these upstream registries/,
    ],
    [
        "a prefix over 30 characters",
        pullThroughCacheRule,
        { ecrRepositoryPrefix: "a".repeat(31), upstreamRegistryUrl: "quay.io" },
        "ecrRepositoryPrefix",
        /up to 30/,
    ],
    [
        "a template without appliedFors",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: [] },
        "appliedFors",
        /at least one of "CREATE_ON_PUSH"/,
    ],
    ["an unknown appliedFor", repositoryCreationTemplate, { prefix: "team", appliedFors: ["ON_PULL"] }, "appliedFors[0]", /must be one of/],
    [
        "a template with tags and no role",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: ["CREATE_ON_PUSH"], resourceTags: { a: "b" } },
        "customRoleArn",
        /is required with `resourceTags` or KMS/,
    ],
    [
        "a template with KMS and no role",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: ["CREATE_ON_PUSH"], encryptionConfigurations: [{ encryptionType: "KMS" }] },
        "customRoleArn",
        /is required/,
    ],
    [
        "a template's bad lifecycle rule",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: ["CREATE_ON_PUSH"], lifecyclePolicy: { rules: [{ ...lifecycle.rules[0], rulePriority: 0 }] } },
        "lifecyclePolicy",
        /rulePriority must be a whole number/,
    ],
    [
        "a template's repository policy without Principal",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: ["CREATE_ON_PUSH"], repositoryPolicy: { Statement: [{ Effect: "Allow", Action: "ecr:*" }] } },
        "repositoryPolicy",
        /needs `Principal`/,
    ],
    [
        "a template's exclusion mutability without filters",
        repositoryCreationTemplate,
        { prefix: "team", appliedFors: ["CREATE_ON_PUSH"], imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" },
        "imageTagMutabilityExclusionFilters",
        /needs at least one exclusion filter/,
    ],
    ["an unknown account setting", accountSetting, { name: "TURBO", value: "ON" }, "name", /BASIC_SCAN_TYPE_VERSION/],
    ["a value the setting does not take", accountSetting, { name: "BLOB_MOUNTING", value: "ON" }, "value", /"ENABLED", "DISABLED"/],
    ["a missing value", accountSetting, { name: "REGISTRY_POLICY_SCOPE" }, "value", /one of V1, V2/],
    [
        "a principal that is not an IAM ARN",
        pullTimeUpdateExclusion,
        { principalArn: "scanner" },
        "principalArn",
        /ARN of an IAM role or user/,
    ],
];

describe("registry resources: check() before any AWS call", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    for (const [what, provider, news, property, reason] of cases) {
        it(`rejects ${what}, naming ${property}`, async () => {
            const failures = await failuresOf(provider, news);
            const hit = failures.find((f) => f.property === property);
            assert.ok(hit, `no failure for ${property} in ${JSON.stringify(failures)}`);
            assert.match(hit.reason, reason);
        });
    }

    it("accepts a correct input of every kind and fills defaults", async () => {
        const ok: [P, object][] = [
            [registryPolicy, { policy: { Version: "2012-10-17", Statement: [statement] } }],
            [registryPolicyStatement, { statement }],
            [
                replicationConfiguration,
                { replicationConfiguration: { rules: [{ destinations: [dest], repositoryFilters: [{ filter: "team/" }] }] } },
            ],
            [replicationRule, { destinations: [dest] }],
            [
                registryScanningConfiguration,
                { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "prod-*" }] }] },
            ],
            [pullThroughCacheRule, { ecrRepositoryPrefix: "hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET }],
            [
                pullThroughCacheRule,
                {
                    ecrRepositoryPrefix: "ROOT",
                    upstreamRegistryUrl: "111111111111.dkr.ecr.us-west-2.amazonaws.com",
                    customRoleArn: ROLE,
                    upstreamRepositoryPrefix: "team",
                },
            ],
            [
                repositoryCreationTemplate,
                {
                    prefix: "ROOT",
                    appliedFors: ["REPLICATION"],
                    lifecyclePolicy: JSON.stringify(lifecycle),
                    resourceTags: { a: "b" },
                    customRoleArn: ROLE,
                },
            ],
            [accountSetting, { name: "BASIC_SCAN_TYPE_VERSION", value: "AWS_NATIVE" }],
            [pullTimeUpdateExclusion, { principalArn: ROLE }],
        ];
        for (const [p, news] of ok) assert.deepEqual(await failuresOf(p, news), [], JSON.stringify(news));
        const { inputs } = await checked(replicationRule, { destinations: [dest] });
        assert.deepEqual(inputs, { destinations: [dest], repositoryFilters: [], region: "us-east-1" });
        const t = (await checked(repositoryCreationTemplate, { prefix: "team", appliedFors: ["REPLICATION", "CREATE_ON_PUSH"] })).inputs;
        assert.deepEqual(t.appliedFors, ["CREATE_ON_PUSH", "REPLICATION"]);
        assert.equal(t.imageTagMutability, "MUTABLE");
        assert.deepEqual(t.encryptionConfigurations, [{ encryptionType: "AES256" }]);
        assert.equal(t.lifecyclePolicy, "");
        assert.equal((await checked(registryPolicyStatement, { statement })).inputs.sid, "Replicate");
    });

    it("lets unknown values through during preview, but needs a statement's Sid to be known", async () => {
        assert.deepEqual(await failuresOf(registryPolicy, { policy: { Statement: [{ ...statement, Principal: { AWS: UNKNOWN } }] } }), []);
        assert.deepEqual(await failuresOf(registryPolicyStatement, { statement: { ...statement, Principal: { AWS: UNKNOWN } } }), []);
        assert.deepEqual(await failuresOf(replicationRule, { destinations: [{ region: "eu-west-1", registryId: UNKNOWN }] }), []);
        assert.deepEqual(await failuresOf(pullTimeUpdateExclusion, { principalArn: UNKNOWN }), []);
        assert.deepEqual(
            await failuresOf(repositoryCreationTemplate, { prefix: "t", appliedFors: UNKNOWN, repositoryPolicy: UNKNOWN }).then((f) =>
                f.filter((x) => x.property !== "prefix"),
            ),
            [],
        );
    });
});

describe("registry resources: diff by meaning", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    const diffOf = async (p: P, olds: object, news: object) => {
        const o = (await checked(p, olds)).inputs;
        return p.diff("id", { ...o, registryId: "123456789012" }, (await checked(p, news)).inputs);
    };

    it("a reformatted registry policy or statement is no change; a new Sid replaces the statement", async () => {
        const doc = { Version: "2012-10-17", Statement: [statement] };
        const same = {
            Statement: { ...statement, Action: ["ecr:createrepository", "ecr:ReplicateImage"], Principal: { AWS: "111111111111" } },
            Version: "2012-10-17",
        };
        assert.equal((await diffOf(registryPolicy, { policy: doc }, { policy: JSON.stringify(same, null, 2) })).changes, false);
        assert.equal((await diffOf(registryPolicyStatement, { statement }, { statement: JSON.stringify(same.Statement) })).changes, false);
        const renamed = await diffOf(registryPolicyStatement, { statement }, { statement: { ...statement, Sid: "Other" } });
        assert.deepEqual(renamed.replaces, ["statement.Sid"]);
        const widened = await diffOf(registryPolicyStatement, { statement }, { statement: { ...statement, Action: "ecr:*" } });
        assert.equal(widened.changes, true);
        assert.deepEqual(widened.replaces, []);
    });

    it("replication rules compare as a set, with destinations and filters in any order", async () => {
        const a = {
            destinations: [dest, { region: "us-west-2", registryId: "222222222222" }],
            repositoryFilters: [{ filter: "x" }, { filter: "y" }],
        };
        const b = {
            destinations: [...a.destinations].reverse(),
            repositoryFilters: [{ filter: "y", filterType: "PREFIX_MATCH" }, { filter: "x" }],
        };
        const c = { destinations: [dest] };
        assert.equal(
            (
                await diffOf(
                    replicationConfiguration,
                    { replicationConfiguration: { rules: [a, c] } },
                    { replicationConfiguration: { rules: [c, b] } },
                )
            ).changes,
            false,
        );
        assert.equal((await diffOf(replicationRule, a, b)).changes, false);
        const moved = await diffOf(replicationRule, a, c);
        assert.equal(moved.changes, true);
        assert.deepEqual(moved.replaces, [], "a rule's content updates in place; its old content in state finds it");
    });

    it("pull through cache rules replace on upstream or prefix, update credentials, and replace when a credential is removed", async () => {
        const base = { ecrRepositoryPrefix: "hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET };
        assert.equal(
            (await diffOf(pullThroughCacheRule, base, { ...base, upstreamRegistryUrl: "https://registry-1.docker.io/" })).changes,
            false,
        );
        const rotated = await diffOf(pullThroughCacheRule, base, { ...base, credentialArn: SECRET.replace("hub-", "hub2-") });
        assert.deepEqual([rotated.changes, rotated.replaces], [true, []]);
        const ecrUp = {
            ecrRepositoryPrefix: "up",
            upstreamRegistryUrl: "111111111111.dkr.ecr.us-west-2.amazonaws.com",
            customRoleArn: ROLE,
        };
        assert.deepEqual((await diffOf(pullThroughCacheRule, ecrUp, { ...ecrUp, customRoleArn: undefined })).replaces, ["customRoleArn"]);
        assert.deepEqual((await diffOf(pullThroughCacheRule, base, { ...base, ecrRepositoryPrefix: "hub2" })).replaces, [
            "ecrRepositoryPrefix",
        ]);
    });

    it("creation templates compare documents by meaning and replace only on prefix or region", async () => {
        const base = {
            prefix: "team",
            appliedFors: ["CREATE_ON_PUSH"],
            lifecyclePolicy: lifecycle,
            repositoryPolicy: { Version: "2012-10-17", Statement: [statement] },
        };
        const reformatted = {
            ...base,
            lifecyclePolicy: JSON.stringify(lifecycle, null, 4),
            repositoryPolicy: JSON.stringify({ Statement: statement, Version: "2012-10-17" }),
        };
        assert.equal((await diffOf(repositoryCreationTemplate, base, reformatted)).changes, false);
        const d = await diffOf(repositoryCreationTemplate, base, { ...base, description: "x", lifecyclePolicy: undefined });
        assert.deepEqual([d.changes, d.replaces], [true, []]);
        assert.deepEqual((await diffOf(repositoryCreationTemplate, base, { ...base, prefix: "other" })).replaces, ["prefix"]);
    });

    it("scanning rules compare in any order; account settings update the value and replace on name", async () => {
        const rules = [
            { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "a*" }, { filter: "b*" }] },
            { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*" }] },
        ];
        const reordered = [rules[1], { ...rules[0], repositoryFilters: [...rules[0].repositoryFilters].reverse() }];
        assert.equal(
            (await diffOf(registryScanningConfiguration, { scanType: "ENHANCED", rules }, { scanType: "ENHANCED", rules: reordered }))
                .changes,
            false,
        );
        assert.equal((await diffOf(registryScanningConfiguration, { scanType: "ENHANCED", rules }, { scanType: "BASIC" })).changes, true);
        const v = await diffOf(accountSetting, { name: "BLOB_MOUNTING", value: "ENABLED" }, { name: "BLOB_MOUNTING", value: "DISABLED" });
        assert.deepEqual([v.changes, v.replaces], [true, []]);
        assert.deepEqual(
            (await diffOf(accountSetting, { name: "BLOB_MOUNTING", value: "ENABLED" }, { name: "REGISTRY_POLICY_SCOPE", value: "V2" }))
                .replaces,
            ["name"],
        );
    });
});

/**
 * The registry half of the local endpoint's JSON API, where moto has no peer to compare with
 * (pull through cache rules, creation templates, account settings, pull-time exclusions) and the
 * validation moto skips: every answer is checked against the SDK's own response schemas over the
 * wire, and every refusal by the exception name of the ECR API reference.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { client } from "../conformance/fixtures";
import { checkShape, rawCall, responseSchema } from "../conformance/sdk-shapes";

const ACCOUNT = "123456789012";
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ecr-pullthroughcache/hub-creds-AbCdEf`;
const LIFECYCLE = JSON.stringify({
    rules: [
        { rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } },
    ],
});
const REPOSITORY_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }],
});

function registryPolicy(actions: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "s1", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: actions, Resource: "*" }],
    });
}

describe("local ECR endpoint: registry settings, pull through cache, creation templates", function () {
    this.timeout(60_000);
    let ecr: LocalEcr;
    let sdk: c.ECRClient;

    beforeEach(async () => {
        ecr = await startLocalEcr({ accountId: ACCOUNT });
        sdk = client(ecr.url, "us-east-1", 1);
    });
    afterEach(async () => {
        sdk?.destroy();
        await ecr?.stop();
    });

    /** One call over the wire; its body must fit the SDK's response schema of that operation. */
    async function wire(operation: string, body: unknown): Promise<Record<string, any>> {
        const res = await rawCall(ecr.url, operation, body);
        assert.equal(res.status, 200, `${operation}: ${JSON.stringify(res.body)}`);
        checkShape(res.body, responseSchema(operation));
        return res.body;
    }

    /** The exception name a call is refused with. */
    async function refusal(operation: string, body: unknown): Promise<string> {
        const res = await rawCall(ecr.url, operation, body);
        assert.equal(res.status, 400, `${operation} should be refused: ${JSON.stringify(res.body)}`);
        return String(res.body.__type);
    }

    describe("registry policy, replication and scanning", () => {
        it("answers every registry operation in the SDK's shapes", async () => {
            await wire("PutRegistryPolicy", { policyText: registryPolicy(["ecr:ReplicateImage", "ecr:CreateRepository"]) });
            assert.equal((await wire("GetRegistryPolicy", {})).registryId, ACCOUNT);
            await wire("DeleteRegistryPolicy", {});
            const empty = await wire("DescribeRegistry", {});
            assert.deepEqual(empty, { registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
            const rules = [
                {
                    destinations: [{ region: "eu-west-1", registryId: ACCOUNT }],
                    repositoryFilters: [{ filter: "prod", filterType: "PREFIX_MATCH" }],
                },
                { destinations: [{ region: "us-east-1", registryId: "210987654321" }] },
            ];
            assert.deepEqual(await wire("PutReplicationConfiguration", { replicationConfiguration: { rules } }), {
                replicationConfiguration: { rules },
            });
            assert.deepEqual((await wire("DescribeRegistry", {})).replicationConfiguration, { rules });
            assert.deepEqual(await wire("GetRegistryScanningConfiguration", {}), {
                registryId: ACCOUNT,
                scanningConfiguration: { scanType: "BASIC", rules: [] },
            });
            const scanning = {
                scanType: "ENHANCED",
                rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "prod/*", filterType: "WILDCARD" }] }],
            };
            assert.deepEqual(await wire("PutRegistryScanningConfiguration", scanning), { registryScanningConfiguration: scanning });
            assert.deepEqual((await wire("GetRegistryScanningConfiguration", {})).scanningConfiguration, scanning);
        });

        it("refuses what ECR refuses, with its exception names", async () => {
            assert.equal(await refusal("GetRegistryPolicy", {}), "RegistryPolicyNotFoundException");
            assert.equal(await refusal("DeleteRegistryPolicy", {}), "RegistryPolicyNotFoundException");
            assert.equal(await refusal("PutRegistryPolicy", { policyText: "{not json" }), "InvalidParameterException");
            assert.equal(await refusal("PutRegistryPolicy", { policyText: registryPolicy(["s3:GetObject"]) }), "InvalidParameterException");

            const dest = (i: number) => ({ region: "eu-west-1", registryId: String(100000000000 + i) });
            const tooManyRules = Array.from({ length: 11 }, (_, i) => ({ destinations: [dest(i)] }));
            assert.equal(
                await refusal("PutReplicationConfiguration", { replicationConfiguration: { rules: tooManyRules } }),
                "InvalidParameterException",
            );
            const spread = Array.from({ length: 2 }, (_, r) => ({ destinations: Array.from({ length: 13 }, (_, i) => dest(r * 13 + i)) }));
            assert.equal(
                await refusal("PutReplicationConfiguration", { replicationConfiguration: { rules: spread } }),
                "InvalidParameterException",
            );
            const self = { rules: [{ destinations: [{ region: "us-east-1", registryId: ACCOUNT }] }] };
            assert.equal(await refusal("PutReplicationConfiguration", { replicationConfiguration: self }), "InvalidParameterException");
            const badFilter = { rules: [{ destinations: [dest(1)], repositoryFilters: [{ filter: "prod", filterType: "WILDCARD" }] }] };
            assert.equal(
                await refusal("PutReplicationConfiguration", { replicationConfiguration: badFilter }),
                "InvalidParameterException",
            );
            assert.equal(await refusal("PutReplicationConfiguration", {}), "InvalidParameterException");
            // 25 unique destinations are allowed; the same destination in two rules counts once.
            const fine = [{ destinations: Array.from({ length: 25 }, (_, i) => dest(i)) }, { destinations: [dest(0)] }];
            await wire("PutReplicationConfiguration", { replicationConfiguration: { rules: fine } });

            const wild = [{ filter: "*", filterType: "WILDCARD" }];
            assert.equal(
                await refusal("PutRegistryScanningConfiguration", {
                    scanType: "BASIC",
                    rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: wild }],
                }),
                "InvalidParameterException",
            );
            assert.equal(await refusal("PutRegistryScanningConfiguration", { scanType: "FAST" }), "InvalidParameterException");
            const three = Array.from({ length: 3 }, () => ({ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: wild }));
            assert.equal(
                await refusal("PutRegistryScanningConfiguration", { scanType: "ENHANCED", rules: three }),
                "InvalidParameterException",
            );
            assert.equal(
                await refusal("PutRegistryScanningConfiguration", {
                    scanType: "BASIC",
                    rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "Bad!", filterType: "WILDCARD" }] }],
                }),
                "InvalidParameterException",
            );
        });

        it("holds the registry policy to the actions of the policy scope (V1: replication and cache only; V2: any ECR action)", async () => {
            assert.deepEqual(await wire("GetAccountSetting", { name: "REGISTRY_POLICY_SCOPE" }), {
                name: "REGISTRY_POLICY_SCOPE",
                value: "V2",
            });
            await wire("PutRegistryPolicy", { policyText: registryPolicy(["ecr:BatchGetImage", "ecr:CreateRepository"]) });
            await wire("PutAccountSetting", { name: "REGISTRY_POLICY_SCOPE", value: "V1" });
            assert.equal(
                await refusal("PutRegistryPolicy", { policyText: registryPolicy(["ecr:BatchGetImage"]) }),
                "InvalidParameterException",
            );
            await wire("PutRegistryPolicy", { policyText: registryPolicy(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]) });
        });
    });

    describe("account settings and pull-time update exclusions", () => {
        it("answers the defaults, takes the documented values and refuses others", async () => {
            assert.deepEqual(await wire("GetAccountSetting", { name: "BASIC_SCAN_TYPE_VERSION" }), {
                name: "BASIC_SCAN_TYPE_VERSION",
                value: "AWS_NATIVE",
            });
            assert.deepEqual(await wire("GetAccountSetting", { name: "BLOB_MOUNTING" }), { name: "BLOB_MOUNTING", value: "DISABLED" });
            assert.deepEqual(await wire("PutAccountSetting", { name: "BLOB_MOUNTING", value: "ENABLED" }), {
                name: "BLOB_MOUNTING",
                value: "ENABLED",
            });
            assert.equal((await sdk.send(new c.GetAccountSettingCommand({ name: "BLOB_MOUNTING" }))).value, "ENABLED");
            assert.equal(await refusal("PutAccountSetting", { name: "BLOB_MOUNTING", value: "yes" }), "InvalidParameterException");
            assert.equal(
                await refusal("PutAccountSetting", { name: "BASIC_SCAN_TYPE_VERSION", value: "CLAIR" }),
                "InvalidParameterException",
            );
            assert.equal(await refusal("GetAccountSetting", { name: "NO_SUCH_SETTING" }), "InvalidParameterException");
            assert.equal(await refusal("PutAccountSetting", { name: "BLOB_MOUNTING" }), "InvalidParameterException");
        });

        it("registers, lists in pages and deregisters exclusions", async () => {
            const arns = Array.from({ length: 5 }, (_, i) => `arn:aws:iam::${ACCOUNT}:role/ci-${i}`);
            for (const principalArn of arns) {
                const r = await wire("RegisterPullTimeUpdateExclusion", { principalArn });
                assert.equal(r.principalArn, principalArn);
                assert.equal(typeof r.createdAt, "number");
            }
            assert.equal(await refusal("RegisterPullTimeUpdateExclusion", { principalArn: arns[0] }), "ExclusionAlreadyExistsException");
            assert.equal(
                await refusal("RegisterPullTimeUpdateExclusion", { principalArn: "arn:aws:iam::123:role/x" }),
                "InvalidParameterException",
            );
            const seen: string[] = [];
            let nextToken: string | undefined;
            for (let page = 0; page < 10; page++) {
                const r = await wire("ListPullTimeUpdateExclusions", { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
                assert.ok(r.pullTimeUpdateExclusions.length <= 2);
                seen.push(...r.pullTimeUpdateExclusions);
                nextToken = r.nextToken;
                if (!nextToken) break;
            }
            assert.deepEqual(seen, [...arns].sort());
            assert.deepEqual(await wire("DeregisterPullTimeUpdateExclusion", { principalArn: arns[1] }), { principalArn: arns[1] });
            assert.equal(await refusal("DeregisterPullTimeUpdateExclusion", { principalArn: arns[1] }), "ExclusionNotFoundException");
        });
    });

    describe("pull through cache rules", () => {
        it("creates, describes, updates, validates and deletes rules in the SDK's shapes", async () => {
            const created = await wire("CreatePullThroughCacheRule", {
                ecrRepositoryPrefix: "hub",
                upstreamRegistryUrl: "registry-1.docker.io",
                credentialArn: SECRET,
            });
            assert.equal(created.upstreamRegistry, "docker-hub");
            assert.equal(created.upstreamRepositoryPrefix, "ROOT");
            assert.equal(created.credentialArn, SECRET);
            await wire("CreatePullThroughCacheRule", {
                ecrRepositoryPrefix: "k8s/",
                upstreamRegistryUrl: "registry.k8s.io",
                upstreamRegistry: "k8s",
            });
            await wire("CreatePullThroughCacheRule", {
                ecrRepositoryPrefix: "peer",
                upstreamRegistryUrl: "210987654321.dkr.ecr.eu-west-1.amazonaws.com",
                customRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecr-ptc`,
                upstreamRepositoryPrefix: "base",
            });
            const all = await wire("DescribePullThroughCacheRules", {});
            assert.deepEqual(
                all.pullThroughCacheRules.map((r: Record<string, string>) => [r.ecrRepositoryPrefix, r.upstreamRegistry]),
                [
                    ["hub", "docker-hub"],
                    ["k8s", "k8s"],
                    ["peer", "ecr"],
                ],
            );
            const one = await wire("DescribePullThroughCacheRules", { ecrRepositoryPrefixes: ["peer"] });
            assert.equal(one.pullThroughCacheRules[0].upstreamRepositoryPrefix, "base");
            const paged = await wire("DescribePullThroughCacheRules", { maxResults: 2 });
            assert.equal(paged.pullThroughCacheRules.length, 2);
            const rest = await wire("DescribePullThroughCacheRules", { maxResults: 2, nextToken: paged.nextToken });
            assert.deepEqual(
                rest.pullThroughCacheRules.map((r: Record<string, string>) => r.ecrRepositoryPrefix),
                ["peer"],
            );
            assert.equal(rest.nextToken, undefined);

            const newSecret = SECRET.replace("hub-creds", "hub-creds-2");
            const updated = await wire("UpdatePullThroughCacheRule", { ecrRepositoryPrefix: "hub", credentialArn: newSecret });
            assert.equal(updated.credentialArn, newSecret);
            assert.equal(typeof updated.updatedAt, "number");
            const validated = await wire("ValidatePullThroughCacheRule", { ecrRepositoryPrefix: "hub" });
            assert.equal(validated.isValid, false, "offline, no upstream can be reached");
            assert.match(validated.failure, /offline/);
            const deleted = await wire("DeletePullThroughCacheRule", { ecrRepositoryPrefix: "k8s" });
            assert.equal(deleted.upstreamRegistryUrl, "registry.k8s.io");
            assert.equal(
                await refusal("DeletePullThroughCacheRule", { ecrRepositoryPrefix: "k8s" }),
                "PullThroughCacheRuleNotFoundException",
            );
        });

        it("checks upstream, credentials, role and prefix as ECR does", async () => {
            const create = (body: Record<string, unknown>) => refusal("CreatePullThroughCacheRule", body);
            assert.equal(
                await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: "registry.example.com" }),
                "UnsupportedUpstreamRegistryException",
            );
            for (const url of ["registry-1.docker.io", "ghcr.io", "registry.gitlab.com", "myreg.azurecr.io", "cgr.dev"]) {
                assert.equal(
                    await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: url }),
                    "InvalidParameterException",
                    `${url} needs a credentialArn`,
                );
            }
            assert.equal(
                await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: "quay.io", credentialArn: SECRET }),
                "InvalidParameterException",
            );
            const otherRegion = SECRET.replace("us-east-1", "eu-west-1");
            assert.equal(
                await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: "ghcr.io", credentialArn: otherRegion }),
                "SecretNotFoundException",
            );
            assert.equal(
                await create({
                    ecrRepositoryPrefix: "x1",
                    upstreamRegistryUrl: "ghcr.io",
                    credentialArn: "arn:aws:secretsmanager:us-east-1:1:secret:x",
                }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: "210987654321.dkr.ecr.eu-west-1.amazonaws.com" }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({
                    ecrRepositoryPrefix: "x1",
                    upstreamRegistryUrl: "quay.io",
                    customRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
                }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ ecrRepositoryPrefix: "x1", upstreamRegistryUrl: "quay.io", upstreamRegistry: "k8s" }),
                "InvalidParameterException",
            );
            assert.equal(await create({ ecrRepositoryPrefix: "Upper", upstreamRegistryUrl: "quay.io" }), "InvalidParameterException");
            assert.equal(
                await create({ ecrRepositoryPrefix: "a".repeat(31), upstreamRegistryUrl: "quay.io" }),
                "InvalidParameterException",
            );
            await wire("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "ROOT", upstreamRegistryUrl: "public.ecr.aws" });
            await wire("CreatePullThroughCacheRule", {
                ecrRepositoryPrefix: "own",
                upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
            });
            assert.equal(
                await create({ ecrRepositoryPrefix: "ROOT", upstreamRegistryUrl: "quay.io" }),
                "PullThroughCacheRuleAlreadyExistsException",
            );
            assert.equal(
                await refusal("DescribePullThroughCacheRules", { ecrRepositoryPrefixes: ["ROOT", "nope"] }),
                "PullThroughCacheRuleNotFoundException",
            );
            assert.equal(
                await refusal("UpdatePullThroughCacheRule", { ecrRepositoryPrefix: "nope", credentialArn: SECRET }),
                "PullThroughCacheRuleNotFoundException",
            );
            assert.equal(
                await refusal("ValidatePullThroughCacheRule", { ecrRepositoryPrefix: "nope" }),
                "PullThroughCacheRuleNotFoundException",
            );
        });

        it("allows at most 50 rules", async () => {
            for (let i = 0; i < 48; i++)
                await wire("CreatePullThroughCacheRule", { ecrRepositoryPrefix: `p${i}`, upstreamRegistryUrl: "quay.io" });
            assert.equal(
                await refusal("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "p0", upstreamRegistryUrl: "quay.io" }),
                "PullThroughCacheRuleAlreadyExistsException",
            );
            await wire("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "p48", upstreamRegistryUrl: "quay.io" });
            await wire("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "p49", upstreamRegistryUrl: "quay.io" });
            assert.equal(
                await refusal("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "p50", upstreamRegistryUrl: "quay.io" }),
                "LimitExceededException",
            );
        });
    });

    describe("repository creation templates", () => {
        it("creates with ECR's defaults, describes in pages, updates what is given and deletes, in the SDK's shapes", async () => {
            const created = await wire("CreateRepositoryCreationTemplate", { prefix: "prod/", appliedFor: ["CREATE_ON_PUSH"] });
            const t = created.repositoryCreationTemplate;
            assert.equal(created.registryId, ACCOUNT);
            assert.equal(t.prefix, "prod");
            assert.equal(t.imageTagMutability, "MUTABLE");
            assert.deepEqual(t.encryptionConfiguration, { encryptionType: "AES256" });
            assert.deepEqual(t.resourceTags, []);
            await wire("CreateRepositoryCreationTemplate", {
                prefix: "ROOT",
                appliedFor: ["PULL_THROUGH_CACHE", "REPLICATION"],
                description: "everything else",
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }],
                encryptionConfiguration: {
                    encryptionType: "KMS",
                    kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
                },
                resourceTags: [{ Key: "owner", Value: "platform" }],
                repositoryPolicy: REPOSITORY_POLICY,
                lifecyclePolicy: LIFECYCLE,
                customRoleArn: `arn:aws:iam::${ACCOUNT}:role/rct`,
            });
            await wire("CreateRepositoryCreationTemplate", { prefix: "team/a", appliedFor: ["REPLICATION"] });
            const first = await wire("DescribeRepositoryCreationTemplates", { maxResults: 2 });
            const second = await wire("DescribeRepositoryCreationTemplates", { maxResults: 2, nextToken: first.nextToken });
            const prefixes = [...first.repositoryCreationTemplates, ...second.repositoryCreationTemplates].map(
                (x: Record<string, string>) => x.prefix,
            );
            assert.deepEqual(prefixes, ["ROOT", "prod", "team/a"]);
            assert.equal(second.nextToken, undefined);
            const root = (await wire("DescribeRepositoryCreationTemplates", { prefixes: ["ROOT", "absent"] })).repositoryCreationTemplates;
            assert.equal(root.length, 1);
            assert.equal(root[0].lifecyclePolicy, LIFECYCLE);

            const updated = (
                await wire("UpdateRepositoryCreationTemplate", { prefix: "ROOT", description: "changed", repositoryPolicy: "" })
            ).repositoryCreationTemplate;
            assert.equal(updated.description, "changed");
            assert.equal(updated.repositoryPolicy, undefined, "an empty policy removes it");
            assert.equal(updated.lifecyclePolicy, LIFECYCLE, "members not given stay");
            assert.equal(updated.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
            const sdkView = await sdk.send(new c.DescribeRepositoryCreationTemplatesCommand({ prefixes: ["ROOT"] }));
            assert.ok(sdkView.repositoryCreationTemplates![0].updatedAt instanceof Date);
            const deleted = await wire("DeleteRepositoryCreationTemplate", { prefix: "team/a" });
            assert.equal(deleted.repositoryCreationTemplate.prefix, "team/a");
        });

        it("refuses what ECR refuses, and a failed update changes nothing", async () => {
            const create = (body: Record<string, unknown>) => refusal("CreateRepositoryCreationTemplate", body);
            assert.equal(await create({ prefix: "prod" }), "InvalidParameterException");
            assert.equal(await create({ prefix: "prod", appliedFor: [] }), "InvalidParameterException");
            assert.equal(await create({ prefix: "prod", appliedFor: ["ON_PULL"] }), "InvalidParameterException");
            assert.equal(await create({ prefix: "Prod", appliedFor: ["REPLICATION"] }), "InvalidParameterException");
            assert.equal(
                await create({ prefix: "prod", appliedFor: ["REPLICATION"], repositoryPolicy: "{}" }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ prefix: "prod", appliedFor: ["REPLICATION"], lifecyclePolicy: '{"rules":[]}' }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ prefix: "prod", appliedFor: ["REPLICATION"], imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({
                    prefix: "prod",
                    appliedFor: ["REPLICATION"],
                    encryptionConfiguration: { encryptionType: "AES256", kmsKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k` },
                }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ prefix: "prod", appliedFor: ["REPLICATION"], description: "x".repeat(257) }),
                "InvalidParameterException",
            );
            assert.equal(
                await create({ prefix: "prod", appliedFor: ["REPLICATION"], resourceTags: [{ Key: "aws:x", Value: "y" }] }),
                "InvalidTagParameterException",
            );
            await wire("CreateRepositoryCreationTemplate", { prefix: "prod", appliedFor: ["REPLICATION"], description: "kept" });
            assert.equal(await create({ prefix: "prod/", appliedFor: ["REPLICATION"] }), "TemplateAlreadyExistsException");
            assert.equal(
                await refusal("UpdateRepositoryCreationTemplate", { prefix: "prod", description: "lost", lifecyclePolicy: "nope" }),
                "InvalidParameterException",
            );
            const after = await sdk.send(new c.DescribeRepositoryCreationTemplatesCommand({ prefixes: ["prod"] }));
            assert.equal(after.repositoryCreationTemplates![0].description, "kept");
            assert.equal(
                await refusal("UpdateRepositoryCreationTemplate", { prefix: "other", description: "x" }),
                "TemplateNotFoundException",
            );
            assert.equal(await refusal("DeleteRepositoryCreationTemplate", { prefix: "other" }), "TemplateNotFoundException");
        });
    });

    it("keeps every registry setting across a restart with a data directory", async () => {
        const fs = await import("node:fs");
        const os = await import("node:os");
        const path = await import("node:path");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-registry-"));
        try {
            let durable = await startLocalEcr({ accountId: ACCOUNT, dataDir: dir });
            let e = client(durable.url, "us-east-1", 1);
            const policy = registryPolicy(["ecr:CreateRepository"]);
            await e.send(new c.PutRegistryPolicyCommand({ policyText: policy }));
            const rules = [{ destinations: [{ region: "eu-west-1", registryId: ACCOUNT }] }];
            await e.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
            await e.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "ENHANCED", rules: [] }));
            await e.send(new c.CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "quay", upstreamRegistryUrl: "quay.io" }));
            await e.send(new c.CreateRepositoryCreationTemplateCommand({ prefix: "ROOT", appliedFor: ["CREATE_ON_PUSH"] }));
            await e.send(new c.PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "ENABLED" }));
            await e.send(new c.RegisterPullTimeUpdateExclusionCommand({ principalArn: `arn:aws:iam::${ACCOUNT}:user/bot` }));
            e.destroy();
            await durable.stop();

            durable = await startLocalEcr({ accountId: ACCOUNT, dataDir: dir });
            e = client(durable.url, "us-east-1", 1);
            try {
                assert.equal((await e.send(new c.GetRegistryPolicyCommand({}))).policyText, policy);
                assert.deepEqual((await e.send(new c.DescribeRegistryCommand({}))).replicationConfiguration, { rules });
                assert.equal((await e.send(new c.GetRegistryScanningConfigurationCommand({}))).scanningConfiguration!.scanType, "ENHANCED");
                assert.equal(
                    (await e.send(new c.DescribePullThroughCacheRulesCommand({}))).pullThroughCacheRules![0].upstreamRegistryUrl,
                    "quay.io",
                );
                assert.deepEqual(
                    (await e.send(new c.DescribeRepositoryCreationTemplatesCommand({}))).repositoryCreationTemplates![0].appliedFor,
                    ["CREATE_ON_PUSH"],
                );
                assert.equal((await e.send(new c.GetAccountSettingCommand({ name: "BLOB_MOUNTING" }))).value, "ENABLED");
                assert.deepEqual((await e.send(new c.ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, [
                    `arn:aws:iam::${ACCOUNT}:user/bot`,
                ]);
            } finally {
                e.destroy();
                await durable.stop();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

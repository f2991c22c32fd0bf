/**
 * The registry's settings resources against real ECR endpoints over HTTP: registry scanning on
 * moto and the local endpoint; pull through cache rules, creation templates, account settings
 * and pull-time update exclusions on the local endpoint only (moto has none of them). Each goes
 * create → read with no phantom diff → drift → update → disappearance → delete, checked on the
 * endpoint's side with an independent client.
 */
import * as assert from "node:assert/strict";
import {
    DeletePullThroughCacheRuleCommand,
    DeleteRepositoryCreationTemplateCommand,
    DeleteRegistryPolicyCommand,
    DeregisterPullTimeUpdateExclusionCommand,
    DescribePullThroughCacheRulesCommand,
    DescribeRepositoryCreationTemplatesCommand,
    ECRClient,
    GetAccountSettingCommand,
    GetRegistryScanningConfigurationCommand,
    ListPullTimeUpdateExclusionsCommand,
    PutAccountSettingCommand,
    PutRegistryPolicyCommand,
    PutRegistryScanningConfigurationCommand,
    PutReplicationConfigurationCommand,
    UpdateRepositoryCreationTemplateCommand,
} from "@aws-sdk/client-ecr";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { resetClients } from "../../provider/client";
import * as accountSetting from "../../provider/accountSetting";
import * as pullThroughCacheRule from "../../provider/pullThroughCacheRule";
import * as pullTimeUpdateExclusion from "../../provider/pullTimeUpdateExclusion";
import * as registryScanningConfiguration from "../../provider/registryScanningConfiguration";
import * as repositoryCreationTemplate from "../../provider/repositoryCreationTemplate";
import * as ecrSdk from "../../sdk";
import { startMoto, useEndpoint } from "../helpers/moto";

type Provider = Required<Omit<dynamic.ResourceProvider, "configure">>;

/** A resource's life as the engine runs it. */
class Managed {
    id = "";
    state: any;
    constructor(readonly provider: Provider) {}
    async checked(news: object) {
        const { inputs, failures } = await this.provider.check(this.state ?? {}, { region: "us-east-1", ...news });
        assert.deepEqual(failures ?? [], [], "check failures");
        return inputs;
    }
    async up(news: object): Promise<void> {
        const inputs = await this.checked(news);
        if (!this.state) {
            const out = await this.provider.create(inputs);
            this.id = out.id;
            this.state = out.outs;
            return;
        }
        const d = await this.provider.diff(this.id, this.state, inputs);
        if (!d.changes) return;
        assert.deepEqual(d.replaces ?? [], [], "expected an in-place update");
        this.state = (await this.provider.update(this.id, this.state, inputs)).outs;
    }
    async changes(news: object): Promise<boolean> {
        return !!(await this.provider.diff(this.id, this.state, await this.checked(news))).changes;
    }
    async refresh(): Promise<boolean> {
        const r = await this.provider.read(this.id, this.state);
        if (!r.id) return false;
        this.state = r.props;
        return true;
    }
    async destroy(): Promise<void> {
        await this.provider.delete(this.id, this.state);
    }
}

interface Endpoint {
    url: string;
    stop(): Promise<void>;
}

function withEndpoint(start: () => Promise<Endpoint>): () => ECRClient {
    let endpoint: Endpoint | undefined;
    let restore: (() => void) | undefined;
    let ecr: ECRClient | undefined;
    before(async () => {
        endpoint = await start();
        restore = useEndpoint(endpoint.url);
        resetClients();
        ecr = new ECRClient({ endpoint: endpoint.url, region: "us-east-1" });
    });
    after(async () => {
        resetClients();
        restore?.();
        ecr?.destroy();
        await endpoint?.stop();
    });
    return () => ecr!;
}

const startLocal = async () => (await import("../../local")).startLocalEcr({ port: 0 });

for (const [label, start] of [
    ["moto", startMoto],
    ["local endpoint", startLocal],
] as const) {
    describe(`RegistryScanningConfiguration (integration, ${label})`, function () {
        this.timeout(120_000);
        const ecr = withEndpoint(start);
        const scanningNow = async () => (await ecr().send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration;

        it("creates, compares rules in any order, sees drift, updates, and delete restores BASIC with no rules", async () => {
            const s = new Managed(registryScanningConfiguration as unknown as Provider);
            const rules = [
                { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "b-*" }, { filter: "a-*", filterType: "WILDCARD" }] },
                { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "prod-*" }] },
            ];
            await s.up({ scanType: "ENHANCED", rules });
            assert.match(s.state.registryId, /^\d{12}$/);
            assert.equal((await scanningNow())?.scanType, "ENHANCED");
            assert.equal((await scanningNow())?.rules?.length, 2);
            assert.ok(await s.refresh());
            assert.equal(await s.changes({ scanType: "ENHANCED", rules: [...rules].reverse() }), false, "rule order means nothing");

            await ecr().send(
                new PutRegistryScanningConfigurationCommand({
                    scanType: "BASIC",
                    rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
                }),
            );
            assert.ok(await s.refresh());
            assert.equal(s.state.scanType, "BASIC", "drift is seen");
            assert.equal(await s.changes({ scanType: "ENHANCED", rules }), true);

            await s.up({ scanType: "ENHANCED", rules: [rules[1]] });
            assert.deepEqual(
                (await scanningNow())?.rules?.map((r) => r.scanFrequency),
                ["CONTINUOUS_SCAN"],
            );
            await s.destroy();
            const after = await scanningNow();
            assert.equal(after?.scanType, "BASIC");
            assert.deepEqual(after?.rules ?? [], []);
            assert.equal(await s.refresh(), false, "back at ECR's default where ENHANCED was: gone");
        });

        it("getRegistryPolicy, getReplicationConfiguration and getRegistryScanningConfiguration read what the endpoint holds", async () => {
            await assert.rejects(ecrSdk.getRegistryPolicy(), /ECR Registry Policy .*not found/);
            const policy = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "R",
                        Effect: "Allow",
                        Principal: { AWS: "arn:aws:iam::111111111111:root" },
                        Action: "ecr:ReplicateImage",
                        Resource: "*",
                    },
                ],
            };
            await ecr().send(new PutRegistryPolicyCommand({ policyText: JSON.stringify(policy, null, 2) }));
            const p = await ecrSdk.getRegistryPolicy();
            assert.match(p.registryId, /^\d{12}$/);
            assert.deepEqual(JSON.parse(p.policy).Statement[0].Sid, "R");
            assert.ok(!/\n/.test(p.policy), "canonical JSON");
            await ecr().send(new DeleteRegistryPolicyCommand({}));

            const rule = {
                destinations: [{ region: "eu-west-1", registryId: "111111111111" }],
                repositoryFilters: [{ filter: "team/", filterType: "PREFIX_MATCH" as const }],
            };
            await ecr().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [rule] } }));
            assert.deepEqual((await ecrSdk.getReplicationConfiguration()).replicationConfiguration.rules, [rule]);
            await ecr().send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
            assert.deepEqual((await ecrSdk.getReplicationConfiguration()).replicationConfiguration.rules, []);

            await ecr().send(
                new PutRegistryScanningConfigurationCommand({
                    scanType: "ENHANCED",
                    rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
                }),
            );
            const scanning = await ecrSdk.getRegistryScanningConfiguration();
            assert.equal(scanning.scanType, "ENHANCED");
            assert.deepEqual(scanning.rules, [
                { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
            ]);
            await ecr().send(new PutRegistryScanningConfigurationCommand({ scanType: "BASIC", rules: [] }));
        });
    });
}

describe("registry settings without a moto counterpart (integration, local endpoint)", function () {
    this.timeout(120_000);
    const ecr = withEndpoint(startLocal);

    describe("PullThroughCacheRule", () => {
        const SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/dockerhub-AbCdEf";
        const SECRET2 = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/dockerhub2-AbCdEf";
        const ruleNow = async (prefix: string) =>
            (await ecr().send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: [prefix] }))).pullThroughCacheRules?.[0];

        it("creates a public upstream's rule, reads it back with no diff, and deletes it", async () => {
            const r = new Managed(pullThroughCacheRule as unknown as Provider);
            await r.up({ ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" });
            assert.equal(r.id, "ecr-public");
            assert.equal((await ruleNow("ecr-public"))?.upstreamRegistryUrl, "public.ecr.aws");
            assert.ok(await r.refresh());
            assert.equal(await r.changes({ ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" }), false);
            await r.destroy();
            await assert.rejects(ruleNow("ecr-public"), /PullThroughCacheRuleNotFoundException/);
            await r.destroy(); // not found on delete is done
        });

        it("updates the credential in place, replaces on a new upstream, and is gone when deleted outside Pulumi", async () => {
            const r = new Managed(pullThroughCacheRule as unknown as Provider);
            await r.up({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET });
            await r.up({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET2 });
            assert.equal((await ruleNow("docker-hub"))?.credentialArn, SECRET2);
            const d = await pullThroughCacheRule.diff(
                r.id,
                r.state,
                (await r.checked({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "ghcr.io", credentialArn: SECRET2 })) as any,
            );
            assert.deepEqual(d.replaces, ["upstreamRegistryUrl"]);
            await ecr().send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "docker-hub" }));
            assert.equal(await r.refresh(), false);
        });

        it("reports a duplicate prefix in the one format, with a hint", async () => {
            const a = new Managed(pullThroughCacheRule as unknown as Provider);
            await a.up({ ecrRepositoryPrefix: "k8s", upstreamRegistryUrl: "registry.k8s.io" });
            const b = new Managed(pullThroughCacheRule as unknown as Provider);
            await assert.rejects(
                b.up({ ecrRepositoryPrefix: "k8s", upstreamRegistryUrl: "registry.k8s.io" }),
                /^EcrError: creating ECR Pull Through Cache Rule \(k8s\): PullThroughCacheRuleAlreadyExistsException: .*Hint: /,
            );
            await a.destroy();
        });
    });

    describe("RepositoryCreationTemplate", () => {
        const lifecycle = {
            rules: [
                {
                    rulePriority: 2,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 1,
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                    action: { type: "expire" },
                },
            ],
        };
        const policy = {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Pull",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::111111111111:root" },
                    Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                },
            ],
        };
        const templateNow = async (prefix: string) =>
            (await ecr().send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: [prefix] }))).repositoryCreationTemplates?.find(
                (t) => t.prefix === prefix,
            );

        it("creates with documents compared by meaning, sees drift, updates in one call, clears a policy, deletes", async () => {
            const t = new Managed(repositoryCreationTemplate as unknown as Provider);
            const args = {
                prefix: "team",
                appliedFors: ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"],
                description: "team repositories",
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filter: "latest" }],
                lifecyclePolicy: lifecycle,
                repositoryPolicy: JSON.stringify(policy),
                resourceTags: { team: "a" },
                customRoleArn: "arn:aws:iam::123456789012:role/ecr-templates",
            };
            await t.up(args);
            const created = await templateNow("team");
            assert.deepEqual([...(created?.appliedFor ?? [])].sort(), ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"]);
            assert.equal(created?.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
            assert.ok(await t.refresh());
            const reformatted = {
                ...args,
                appliedFors: ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"],
                lifecyclePolicy: JSON.stringify({ rules: [...lifecycle.rules].reverse() }, null, 2),
                repositoryPolicy: policy,
            };
            assert.equal(await t.changes(reformatted), false, "documents and lists compared by meaning");

            await ecr().send(new UpdateRepositoryCreationTemplateCommand({ prefix: "team", description: "changed outside" }));
            assert.ok(await t.refresh());
            assert.equal(t.state.description, "changed outside");
            assert.equal(await t.changes(args), true);

            await t.up({
                ...args,
                description: "",
                repositoryPolicy: undefined,
                imageTagMutability: "MUTABLE",
                imageTagMutabilityExclusionFilters: [],
            });
            const updated = await templateNow("team");
            assert.equal(updated?.imageTagMutability, "MUTABLE");
            assert.ok(!updated?.repositoryPolicy, "the repository policy was cleared");
            assert.ok(!updated?.description, "the description was cleared");
            assert.ok(updated?.lifecyclePolicy, "the lifecycle policy stays");

            await ecr().send(new DeleteRepositoryCreationTemplateCommand({ prefix: "team" }));
            assert.equal(await t.refresh(), false);
            await t.destroy();
        });
    });

    describe("getPullThroughCacheRule and getRepositoryCreationTemplate", () => {
        it("read what the resources wrote, and name what is missing", async () => {
            const r = new Managed(pullThroughCacheRule as unknown as Provider);
            await r.up({ ecrRepositoryPrefix: "quay", upstreamRegistryUrl: "quay.io" });
            const rule = await ecrSdk.getPullThroughCacheRule({ ecrRepositoryPrefix: "quay" });
            assert.equal(rule.id, "quay");
            assert.equal(rule.upstreamRegistryUrl, "quay.io");
            assert.equal(rule.registryId, r.state.registryId);
            await r.destroy();
            await assert.rejects(
                ecrSdk.getPullThroughCacheRule({ ecrRepositoryPrefix: "quay" }),
                /reading ECR Pull Through Cache Rule \(quay\)|ECR Pull Through Cache Rule \(quay\) not found/,
            );

            const t = new Managed(repositoryCreationTemplate as unknown as Provider);
            await t.up({ prefix: "ROOT", appliedFors: ["REPLICATION"], description: "everything else" });
            const template = await ecrSdk.getRepositoryCreationTemplate({ prefix: "ROOT" });
            assert.deepEqual(
                [template.id, template.appliedFors, template.description, template.imageTagMutability],
                ["ROOT", ["REPLICATION"], "everything else", "MUTABLE"],
            );
            await t.destroy();
            await assert.rejects(ecrSdk.getRepositoryCreationTemplate({ prefix: "ROOT" }), /ECR Repository Creation Template \(ROOT\)/);
        });
    });

    describe("AccountSetting", () => {
        const valueNow = async (name: string) => (await ecr().send(new GetAccountSettingCommand({ name }))).value;

        it("sets, sees drift, updates, and delete restores the default", async () => {
            const s = new Managed(accountSetting as unknown as Provider);
            await s.up({ name: "BLOB_MOUNTING", value: "ENABLED" });
            assert.equal(await valueNow("BLOB_MOUNTING"), "ENABLED");
            await ecr().send(new PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "DISABLED" }));
            assert.ok(await s.refresh());
            assert.equal(s.state.value, "DISABLED");
            await s.up({ name: "BLOB_MOUNTING", value: "ENABLED" });
            assert.equal(await valueNow("BLOB_MOUNTING"), "ENABLED");
            await s.destroy();
            assert.equal(await valueNow("BLOB_MOUNTING"), "DISABLED");

            const scope = new Managed(accountSetting as unknown as Provider);
            await scope.up({ name: "REGISTRY_POLICY_SCOPE", value: "V1" });
            assert.equal(await valueNow("REGISTRY_POLICY_SCOPE"), "V1");
            await scope.destroy();
            assert.equal(await valueNow("REGISTRY_POLICY_SCOPE"), "V2");
        });
    });

    describe("PullTimeUpdateExclusion", () => {
        const ARN = "arn:aws:iam::123456789012:role/scanner";
        const listed = async () => (await ecr().send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions ?? [];

        it("registers, reads, is gone when deregistered outside Pulumi, refuses a duplicate, deletes", async () => {
            const x = new Managed(pullTimeUpdateExclusion as unknown as Provider);
            await x.up({ principalArn: ARN });
            assert.deepEqual(await listed(), [ARN]);
            assert.ok(await x.refresh());
            const dup = new Managed(pullTimeUpdateExclusion as unknown as Provider);
            await assert.rejects(
                dup.up({ principalArn: ARN }),
                /creating ECR Pull Time Update Exclusion \(.*scanner\): ExclusionAlreadyExistsException: .*Hint: /,
            );
            await ecr().send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: ARN }));
            assert.equal(await x.refresh(), false);
            await x.destroy(); // not found on delete is done
            assert.deepEqual(await listed(), []);
        });
    });
});

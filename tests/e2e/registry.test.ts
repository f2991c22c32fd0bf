/**
 * examples/registry through the real Pulumi CLI (Automation API, file backend) against a real ECR
 * endpoint on loopback: two stacks of the same program, one per team, share the registry's one
 * policy and one replication configuration. Every claim is checked on ECR's side with the AWS SDK
 * and through the package's own data sources, never through the stacks' outputs alone.
 *
 * In order: alpha up → bravo up (alpha's parts intact) → both previews are no-ops, also after a
 * refresh → alpha changes its rule (bravo's intact) → alpha destroyed (bravo's parts intact, its
 * refresh finds nothing changed) → bravo destroyed (the registry is back where it started).
 */
import * as assert from "node:assert/strict";
import {
    DescribePullThroughCacheRulesCommand,
    DescribeRegistryCommand,
    DescribeRepositoryCreationTemplatesCommand,
    GetRegistryPolicyCommand,
} from "@aws-sdk/client-ecr";
import type { Stack } from "@pulumi/pulumi/automation";
import { removeStack, uniqueName } from "../helpers/pulumi";
import { E2eContext, REGION, e2e, examplesDir, fixtureDir } from "./context";

/** Only `same` steps: nothing would change. */
function assertNoChanges(summary: Record<string, number | undefined>, what: string) {
    const changed = Object.entries(summary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    assert.deepEqual(changed, [], `${what}: expected no changes, got ${JSON.stringify(summary)}`);
}

describe("e2e: examples/registry, two stacks sharing one registry", function () {
    this.timeout(15 * 60_000);

    // Team names unique to this run, so a leftover from an earlier run can never match.
    const suffix = uniqueName("t")
        .replace(/[^a-z0-9]/g, "")
        .slice(-6);
    const alpha = `alpha${suffix}`;
    const bravo = `bravo${suffix}`;
    const sidOf = (team: string) => `${team[0].toUpperCase()}${team.slice(1)}Replicate`;
    let ctx: E2eContext;
    let stackA: Stack;
    let stackB: Stack;

    /** What the registry holds, read through the AWS SDK. */
    async function registryNow() {
        let sids: string[] = [];
        try {
            const text = (await ctx.ecr.send(new GetRegistryPolicyCommand({}))).policyText ?? "{}";
            sids = (JSON.parse(text).Statement ?? []).map((s: { Sid?: string }) => s.Sid ?? "").sort();
        } catch (e) {
            if ((e as Error).name !== "RegistryPolicyNotFoundException") throw e;
        }
        const rules = (await ctx.ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration?.rules ?? [];
        const caches = (await ctx.ecr.send(new DescribePullThroughCacheRulesCommand({}))).pullThroughCacheRules ?? [];
        const templates = (await ctx.ecr.send(new DescribeRepositoryCreationTemplatesCommand({}))).repositoryCreationTemplates ?? [];
        return {
            sids,
            ruleFilters: rules.map((r) => r.repositoryFilters?.[0]?.filter ?? "").sort(),
            ruleRegions: Object.fromEntries(rules.map((r) => [r.repositoryFilters?.[0]?.filter ?? "", r.destinations?.[0]?.region])),
            caches: caches.map((c) => c.ecrRepositoryPrefix ?? "").sort(),
            templates: templates.map((t) => t.prefix ?? "").sort(),
        };
    }

    /** The parts each team owns, as the registry should show them. */
    const partsOf = (...teams: string[]) => ({
        sids: teams.map(sidOf).sort(),
        ruleFilters: teams.map((t) => `${t}/`).sort(),
        caches: teams.map((t) => `${t}-ecr-public`).sort(),
        templates: [...teams].sort(),
    });
    const onlyParts = (r: Awaited<ReturnType<typeof registryNow>>) => ({
        sids: r.sids,
        ruleFilters: r.ruleFilters,
        caches: r.caches,
        templates: r.templates,
    });

    before(async () => {
        ctx = await e2e();
        const open = (team: string) =>
            import("../helpers/pulumi").then(({ openStack }) =>
                openStack({
                    dir: examplesDir("registry"),
                    stackName: uniqueName(`e2e-registry-${team.slice(0, 5)}`),
                    env: ctx.env,
                    config: { "aws:region": REGION, team },
                }),
            );
        stackA = await open(alpha);
        stackB = await open(bravo);
    });

    after(async () => {
        // Leave nothing behind even when a step failed half way.
        for (const s of [stackA, stackB]) {
            try {
                await s?.destroy();
            } catch {
                // best effort; the endpoint is thrown away anyway
            }
            await removeStack(s);
        }
    });

    it("alpha's stack creates its statement, rule, cache rule and template", async () => {
        const before = await registryNow();
        assert.deepEqual(onlyParts(before), partsOf(), `the registry starts without parts of this run: ${JSON.stringify(before)}`);
        const result = await stackA.up();
        assert.equal(result.summary.result, "succeeded");
        assert.equal(result.outputs.statementSid.value, sidOf(alpha));
        assert.deepEqual(onlyParts(await registryNow()), partsOf(alpha));
    });

    it("bravo's stack adds its own parts next to alpha's, erasing none", async () => {
        const result = await stackB.up();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(onlyParts(await registryNow()), partsOf(alpha, bravo));
        // The package's own data sources agree with the SDK.
        const { getRegistryPolicy, getReplicationConfiguration } = await import("pulumi-ecr");
        const policy = JSON.parse((await getRegistryPolicy({ region: REGION })).policy);
        assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid).sort(), partsOf(alpha, bravo).sids);
        const replication = await getReplicationConfiguration({ region: REGION });
        assert.equal(replication.replicationConfiguration.rules.length, 2);
    });

    it("neither stack sees a change, in a preview or after a refresh", async () => {
        for (const [name, s] of [
            ["alpha", stackA],
            ["bravo", stackB],
        ] as const) {
            assertNoChanges((await s.preview({ diff: true })).changeSummary, `${name} preview`);
            const refresh = await s.refresh();
            assert.equal(refresh.summary.result, "succeeded");
            assertNoChanges(refresh.summary.resourceChanges ?? {}, `${name} refresh`);
            assertNoChanges((await s.preview()).changeSummary, `${name} preview after refresh`);
        }
    });

    it("alpha moves its rule to another region in place; bravo's rule and statement stay as they were", async () => {
        await stackA.setConfig("destinationRegion", { value: "ap-southeast-2" });
        const result = await stackA.up();
        assert.equal(result.summary.result, "succeeded");
        assert.equal(result.summary.resourceChanges?.update, 1, JSON.stringify(result.summary.resourceChanges));
        const now = await registryNow();
        assert.deepEqual(onlyParts(now), partsOf(alpha, bravo));
        assert.equal(now.ruleRegions[`${alpha}/`], "ap-southeast-2");
        assert.equal(now.ruleRegions[`${bravo}/`], "eu-west-1");
        assertNoChanges((await stackB.preview()).changeSummary, "bravo after alpha's update");
    });

    it("destroying alpha removes only alpha's parts; bravo's refresh finds them all", async () => {
        const result = await stackA.destroy();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(onlyParts(await registryNow()), partsOf(bravo));
        const refresh = await stackB.refresh();
        assertNoChanges(refresh.summary.resourceChanges ?? {}, "bravo refresh after alpha's destroy");
        assertNoChanges((await stackB.preview()).changeSummary, "bravo preview after alpha's destroy");
    });

    it("destroying bravo leaves the registry without a policy or rules of this run", async () => {
        const result = await stackB.destroy();
        assert.equal(result.summary.result, "succeeded");
        const now = await registryNow();
        assert.deepEqual(onlyParts(now), partsOf());
    });
});

describe("e2e: one program managing a registry singleton both whole and by parts", function () {
    this.timeout(10 * 60_000);
    let ctx: E2eContext;
    let stack: Stack;

    before(async () => {
        ctx = await e2e();
        const { openStack } = await import("../helpers/pulumi");
        stack = await openStack({
            dir: fixtureDir("registry-mixed"),
            stackName: uniqueName("e2e-registry-mixed"),
            env: ctx.env,
            config: { "aws:region": REGION, mix: "policy" },
        });
    });
    after(async () => removeStack(stack));

    for (const [mix, message] of [
        ["policy", /RegistryPolicyStatement "part" and RegistryPolicy "whole" both manage the registry's registry policy/],
        ["replication", /ReplicationConfiguration "whole" and ReplicationRule "part" both manage the registry's replication configuration/],
    ] as const) {
        it(`${mix}: preview refuses it, naming both resources, before anything reaches ECR; up fails too`, async () => {
            await stack.setConfig("mix", { value: mix });
            const before = JSON.stringify((await ctx.ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration);
            await assert.rejects(stack.preview(), (e: Error) => {
                assert.match(e.message, message);
                assert.match(e.message, /not both/);
                return true;
            });
            assert.equal(
                JSON.stringify((await ctx.ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration),
                before,
                "the replication configuration is untouched",
            );
            await assert.rejects(ctx.ecr.send(new GetRegistryPolicyCommand({})), /RegistryPolicyNotFoundException/);
            // `up --skip-preview` (the Automation API's default) fails the same way, though the engine
            // creates what was declared before the second kind; destroy takes it away again.
            await assert.rejects(stack.up(), message);
            await stack.destroy();
        });
    }
});

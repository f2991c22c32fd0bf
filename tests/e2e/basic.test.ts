/**
 * examples/basic through the real Pulumi CLI (Automation API, file backend) against a real ECR
 * endpoint on loopback. Every claim is checked on ECR's side with the AWS SDK, not through the
 * program's outputs. The steps build on each other, in order: create → no-op preview → in-place
 * update → reformatted policy → drift → disappearance → rename → destroy.
 */
import * as assert from "node:assert/strict";
import {
    DeleteRepositoryCommand,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    ListImagesCommand,
    ListTagsForResourceCommand,
    PutImageTagMutabilityCommand,
    Repository as EcrRepository,
} from "@aws-sdk/client-ecr";
import type { Stack } from "@pulumi/pulumi/automation";
import { StepLog, checkpointResources, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { TEST_PREFIX } from "../helpers/names";
import { E2eContext, REGION, describeRepository, e2e, examplesDir, putImage } from "./context";

const PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"];
const REPLACING = ["replace", "create-replacement", "delete-replaced"];

/** Only `same` steps: nothing would change. */
function assertNoChanges(summary: Record<string, number | undefined>, what: string) {
    const changed = Object.entries(summary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    assert.deepEqual(changed, [], `${what}: expected no changes, got ${JSON.stringify(summary)}`);
    assert.ok((summary.same ?? 0) >= 3, `${what}: expected the three resources to be 'same', got ${JSON.stringify(summary)}`);
}

describe("e2e: examples/basic through the Pulumi CLI", function () {
    this.timeout(10 * 60_000);

    const stackName = uniqueName("e2e-basic");
    let name = uniqueName(`${TEST_PREFIX}-basic`);
    let ctx: E2eContext;
    let stack: Stack;
    let created: EcrRepository;

    const repoNow = async (n = name) => {
        const r = await describeRepository(ctx.ecr, n);
        assert.ok(r, `repository ${n} should exist`);
        return r;
    };
    const tagsOf = async (arn: string) =>
        Object.fromEntries(
            ((await ctx.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []).map((t) => [t.Key, t.Value]),
        );
    const policyActions = async (n = name) => {
        const text = (await ctx.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: n }))).policyText ?? "{}";
        const action = JSON.parse(text).Statement[0].Action;
        return (Array.isArray(action) ? action : [action]).sort();
    };

    before(async () => {
        ctx = await e2e();
        stack = await openStack({
            dir: examplesDir("basic"),
            stackName,
            // This endpoint shows a new repository at once, so a short visibility window lets "deleted
            // out of band" be seen as gone without waiting out the minute real ECR needs
            // (tests/e2e/eventualConsistency.test.ts covers the window itself, and sets it back: inline
            // programs share this process's environment).
            env: { ...ctx.env, PULUMI_ECR_VISIBILITY_TIMEOUT_MS: "3000" },
            config: { "aws:region": REGION, repositoryName: name },
        });
    });

    after(async () => {
        // Leave nothing behind even when a step failed half way.
        try {
            await stack?.setConfig("forceDelete", { value: "true" });
            await stack?.up();
            await stack?.destroy();
        } catch {
            // best effort; the endpoint is thrown away anyway
        }
        await removeStack(stack);
    });

    it("up creates the repository, its policy and its lifecycle policy", async () => {
        const log = new StepLog();
        const result = await stack.up({ onEvent: log.onEvent });
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(log.opsOf("Repository"), ["create"]);
        assert.deepEqual(log.opsOf("RepositoryPolicy"), ["create"]);
        assert.deepEqual(log.opsOf("LifecyclePolicy"), ["create"]);

        created = await repoNow();
        assert.equal(created.imageTagMutability, "MUTABLE");
        const { "pulumi-ecr:owner": owner, ...userTags } = await tagsOf(created.repositoryArn!);
        assert.deepEqual(userTags, { team: "platform", "managed-by": "pulumi" });
        assert.match(String(owner), /^[0-9a-f]{40}$/, "the ownership tag, which the resource's own tags never show");
        assert.deepEqual(await policyActions(), PULL);
        const lifecycle = await ctx.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
        const rules = JSON.parse(lifecycle.lifecyclePolicyText ?? "{}").rules;
        assert.equal(rules.length, 1);
        assert.equal(rules[0].selection.countNumber, 10);
        assert.equal(rules[0].action.type, "expire");
    });

    it("a preview right after up shows no changes", async () => {
        const preview = await stack.preview();
        assertNoChanges(preview.changeSummary, "preview after up");
    });

    it("changing mutability, a tag and a policy statement updates in place, without replacement", async () => {
        await stack.setAllConfig({
            imageTagMutability: { value: "IMMUTABLE" },
            team: { value: "payments" },
            allowPush: { value: "true" },
        });
        const log = new StepLog();
        const result = await stack.up({ onEvent: log.onEvent });
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(log.opsOf("Repository"), ["update"]);
        assert.deepEqual(log.opsOf("RepositoryPolicy"), ["update"]);
        assert.deepEqual(log.opsOf("LifecyclePolicy"), ["same"]);
        for (const op of REPLACING) assert.equal(result.summary.resourceChanges?.[op as "replace"] ?? 0, 0, `no ${op} expected`);

        const now = await repoNow();
        assert.equal(now.repositoryArn, created.repositoryArn);
        assert.equal(now.createdAt?.getTime(), created.createdAt?.getTime(), "the same repository, not a new one");
        assert.equal(now.imageTagMutability, "IMMUTABLE");
        assert.equal((await tagsOf(now.repositoryArn!)).team, "payments");
        assert.deepEqual(await policyActions(), [...PULL, ...PUSH].sort());
    });

    it("reformatting the policy JSON (indentation, key order) is not a change", async () => {
        const before = (await ctx.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText;
        await stack.setConfig("prettyPolicy", { value: "true" });
        assertNoChanges((await stack.preview()).changeSummary, "preview of the reformatted policy");
        const result = await stack.up();
        assertNoChanges(result.summary.resourceChanges ?? {}, "up of the reformatted policy");
        const after = (await ctx.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText;
        assert.equal(after, before, "the policy on ECR is untouched");
    });

    it("a mutability changed out of band shows as a diff in preview after refresh, and up puts it back", async () => {
        await ctx.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "MUTABLE" }));

        const refresh = await stack.refresh();
        assert.equal(refresh.summary.resourceChanges?.update, 1, `refresh: ${JSON.stringify(refresh.summary.resourceChanges)}`);
        const repoState = checkpointResources("basic", stackName).find((r) => r.type.endsWith(":Repository"));
        assert.equal(repoState?.outputs?.imageTagMutability, "MUTABLE", "refresh took ECR's value into state");

        const log = new StepLog();
        const preview = await stack.preview({ onEvent: log.onEvent });
        assert.equal(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
        assert.deepEqual(log.opsOf("Repository"), ["update"]);

        await stack.up();
        assert.equal((await repoNow()).imageTagMutability, "IMMUTABLE");
    });

    it("a repository deleted out of band is dropped from state by refresh, and up makes it again", async () => {
        await ctx.ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));

        const refresh = await stack.refresh();
        assert.equal(
            refresh.summary.resourceChanges?.delete,
            3,
            `the repository and both policies are gone: ${JSON.stringify(refresh.summary.resourceChanges)}`,
        );
        const left = checkpointResources("basic", stackName).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        assert.deepEqual(left, []);

        const log = new StepLog();
        await stack.up({ onEvent: log.onEvent });
        assert.deepEqual(log.opsOf("Repository"), ["create"]);
        created = await repoNow();
        assert.deepEqual(await policyActions(), [...PULL, ...PUSH].sort());
    });

    it("changing the name replaces the repository and deletes the old one", async () => {
        const oldName = name;
        name = uniqueName(`${TEST_PREFIX}-renamed`);
        await stack.setConfig("repositoryName", { value: name });

        const log = new StepLog();
        const result = await stack.up({ onEvent: log.onEvent });
        assert.equal(result.summary.resourceChanges?.replace, 3, JSON.stringify(result.summary.resourceChanges));
        const ops = log.opsOf("Repository");
        assert.ok(ops.includes("create-replacement") && ops.includes("delete-replaced"), `Repository ops: ${ops}`);

        assert.equal(await describeRepository(ctx.ecr, oldName), undefined, `the old repository ${oldName} is gone`);
        const now = await repoNow();
        assert.notEqual(now.repositoryArn, created.repositoryArn);
        assert.deepEqual(await policyActions(), [...PULL, ...PUSH].sort(), "the policy follows the new repository");
        const lifecycle = await ctx.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
        assert.ok(lifecycle.lifecyclePolicyText);
    });

    it("destroy refuses a repository that holds images without forceDelete, and says to set it", async () => {
        await putImage(ctx.ecr, name, "v1");
        await assert.rejects(stack.destroy(), (e: Error) => {
            assert.match(e.message, /RepositoryNotEmptyException/);
            assert.match(e.message, /forceDelete: true/);
            return true;
        });
        const images = await ctx.ecr.send(new ListImagesCommand({ repositoryName: name }));
        assert.equal(images.imageIds?.length, 1, "the repository and its image are still there");
    });

    it("with forceDelete, destroy removes everything", async () => {
        await stack.setConfig("forceDelete", { value: "true" });
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");
        const result = await stack.destroy();
        assert.equal(result.summary.result, "succeeded");
        assert.equal(await describeRepository(ctx.ecr, name), undefined);
        assert.deepEqual(
            checkpointResources("basic", stackName).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")),
            [],
            "state holds no resources",
        );
    });
});

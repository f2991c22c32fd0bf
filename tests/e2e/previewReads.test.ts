/**
 * Data sources that read what the same program creates, through the real CLI.
 *
 * GIVEN a program that creates a repository and reads it with getRepositoryOutput/getImagesOutput
 * WHEN the stack's first `preview` runs (the repository does not exist yet)
 * THEN it succeeds, with the reads unknown and no failure; `up` then reads the created repository
 *      (the URL getRepository reports is the resource's own), and a preview after it shows no change.
 */
import * as assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { TEST_PREFIX } from "../helpers/names";
import { StepLog, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { E2eContext, REGION, describeRepository, e2e, fixtureDir } from "./context";

describe("e2e: reading in the same program what it creates", function () {
    this.timeout(5 * 60_000);
    const repositoryName = uniqueName(`${TEST_PREFIX}-readback`);
    let ctx: E2eContext;
    let stack: Stack;

    before(async () => {
        ctx = await e2e();
        stack = await openStack({
            dir: fixtureDir("create-and-read"),
            stackName: uniqueName("e2e-readback"),
            env: ctx.env,
            config: { "aws:region": REGION, repositoryName },
        });
    });
    after(async () => {
        await stack?.destroy().catch(() => undefined);
        await removeStack(stack);
    });

    it("the first preview succeeds while the repository does not exist yet", async () => {
        const steps = new StepLog();
        const preview = await stack.preview({ onEvent: steps.onEvent });
        assert.deepEqual(steps.opsOf("Repository"), ["create"]);
        assert.equal(preview.changeSummary.create, 2, JSON.stringify(preview.changeSummary)); // the stack and the repository
        assert.equal(await describeRepository(ctx.ecr, repositoryName), undefined, "preview created nothing");
    });

    it("up reads the repository it just created, and a preview after it shows no change", async () => {
        const up = await stack.up();
        const reported = (await describeRepository(ctx.ecr, repositoryName))?.repositoryUri;
        assert.ok(reported);
        assert.equal(up.outputs.repositoryUrl.value, reported);
        assert.equal(up.outputs.describedUrl.value, reported);
        assert.equal(up.outputs.imageCount.value, 0);
        const again = await stack.preview();
        const changed = Object.entries(again.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
        assert.deepEqual(changed, []);
    });
});

/**
 * Bringing a repository that already exists into a program.
 *
 * The `import` resource option does not work for dynamic resources: to import, the engine asks the
 * provider to read the object with no prior state, but the dynamic-provider host finds which
 * provider to run in that very state (`__provider`), so it fails before our `read` is called
 * ("Cannot read properties of undefined (reading 'toJavaScript')", @pulumi/pulumi 3.248.0). The
 * first test pins that limit: if a later Pulumi lifts it, the test fails and the docs change.
 * What works: `adoptExisting: true` takes the repository over and manages it from then on, and
 * `Repository.get(name, id)` is a lookup whose outputs the program can use without managing it.
 */
import * as assert from "node:assert/strict";
import { CreateRepositoryCommand, DeleteRepositoryCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecr";
import type { Stack } from "@pulumi/pulumi/automation";
import { checkpointResources, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { TEST_PREFIX } from "../helpers/names";
import { E2eContext, REGION, describeRepository, e2e, fixtureDir } from "./context";

describe("e2e: adopting an existing repository", function () {
    this.timeout(5 * 60_000);

    const name = uniqueName(`${TEST_PREFIX}-adopt`);
    let ctx: E2eContext;
    let arn: string;
    const stacks: Stack[] = [];

    const open = async (how: "import" | "get" | "adopt") => {
        const stack = await openStack({
            dir: fixtureDir("adopt"),
            stackName: uniqueName(`e2e-adopt-${how}`),
            env: ctx.env,
            config: { "aws:region": REGION, repositoryName: name, how },
        });
        stacks.push(stack);
        return stack;
    };

    before(async () => {
        ctx = await e2e();
        const out = await ctx.ecr.send(
            new CreateRepositoryCommand({
                repositoryName: name,
                imageTagMutability: "IMMUTABLE",
                tags: [{ Key: "owner", Value: "someone-else" }],
            }),
        );
        arn = out.repository!.repositoryArn!;
    });

    after(async () => {
        for (const s of stacks) {
            await s.destroy().catch(() => undefined);
            await removeStack(s);
        }
        await ctx.ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true })).catch(() => undefined);
    });

    it("the import option fails in the dynamic-provider host, and leaves the repository untouched", async () => {
        const stack = await open("import");
        await assert.rejects(stack.up(), (e: Error) => {
            assert.match(e.message, /importing failed|reading 'toJavaScript'/);
            return true;
        });
        const repo = await describeRepository(ctx.ecr, name);
        assert.equal(repo?.repositoryArn, arn);
        assert.equal(repo?.imageTagMutability, "IMMUTABLE");
        const tags = await ctx.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        assert.deepEqual(tags.tags, [{ Key: "owner", Value: "someone-else" }]);
        assert.equal(checkpointResources("adopt", stack.name).filter((r) => r.type.endsWith(":Repository")).length, 0);
    });

    it("Repository.get reads the existing repository into the program without managing it", async () => {
        const stack = await open("get");
        const up = await stack.up();
        assert.equal(up.outputs.repositoryArn?.value, arn);
        assert.equal(up.outputs.imageTagMutability?.value, "IMMUTABLE");
        assert.match(String(up.outputs.repositoryUrl?.value), new RegExp(`/${name}$`));

        // A read resource is not owned: destroying the stack leaves the repository where it was.
        await stack.destroy();
        assert.equal((await describeRepository(ctx.ecr, name))?.repositoryArn, arn);
    });

    it("adoptExisting takes the repository over: same ARN, settings follow the program, no diff after, destroy deletes it", async () => {
        const stack = await open("adopt");
        const up = await stack.up();
        assert.equal(up.outputs.repositoryArn?.value, arn, "the existing repository, not a new one");
        assert.equal(up.outputs.imageTagMutability?.value, "MUTABLE", "mutability follows the program");
        const tags = await ctx.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        assert.deepEqual(
            tags.tags?.filter((t) => t.Key !== "pulumi-ecr:owner"),
            [{ Key: "team", Value: "platform" }],
        );
        assert.ok(
            tags.tags?.some((t) => t.Key === "pulumi-ecr:owner"),
            "the adopted repository is marked as this resource's (ownership tag)",
        );

        const preview = await stack.preview();
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"], JSON.stringify(preview.changeSummary));

        await stack.destroy();
        assert.equal(await describeRepository(ctx.ecr, name), undefined, "an adopted repository is managed, so destroy deletes it");
    });
});

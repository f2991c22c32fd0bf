/**
 * The data-source examples through the real Pulumi CLI: examples/image-digest (a tag's digest) and
 * examples/registry-login (a docker login whose password must never reach state in plain text).
 * They own nothing, so "destroy leaves nothing behind" means: no resources in state, and what
 * they read is still there.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { CreateRepositoryCommand, DeleteRepositoryCommand, DescribeImagesCommand, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import type { Stack } from "@pulumi/pulumi/automation";
import { checkpointResources, openStack, removeStack, stackFiles, uniqueName } from "../helpers/pulumi";
import { TEST_PREFIX } from "../helpers/names";
import { E2eContext, REGION, e2e, examplesDir, putImage } from "./context";

function assertNoChanges(summary: Record<string, number | undefined>, what: string) {
    const changed = Object.entries(summary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    assert.deepEqual(changed, [], `${what}: expected no changes, got ${JSON.stringify(summary)}`);
}

const ownedResources = (project: string, stack: string) =>
    checkpointResources(project, stack).filter((r) => !r.type.startsWith("pulumi:pulumi:") && !r.type.startsWith("pulumi:providers:"));

describe("e2e: examples/image-digest through the Pulumi CLI", function () {
    this.timeout(5 * 60_000);

    const repository = uniqueName(`${TEST_PREFIX}-digest`);
    let ctx: E2eContext;
    let stack: Stack;
    let v1: string;

    before(async () => {
        ctx = await e2e();
        await ctx.ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
        v1 = await putImage(ctx.ecr, repository, "v1");
        stack = await openStack({
            dir: examplesDir("image-digest"),
            stackName: uniqueName("e2e-digest"),
            env: ctx.env,
            config: { "aws:region": REGION, repository, tag: "v1" },
        });
    });

    after(async () => {
        await stack?.destroy().catch(() => undefined);
        await removeStack(stack);
        await ctx.ecr.send(new DeleteRepositoryCommand({ repositoryName: repository, force: true })).catch(() => undefined);
    });

    it("up exports the digest ECR has for the tag, and the URI that pins it", async () => {
        const up = await stack.up();
        const described = await ctx.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: "v1" }] }));
        const digest = described.imageDetails?.[0]?.imageDigest;
        assert.equal(digest, v1);
        assert.equal(up.outputs.digest.value, digest);
        assert.match(String(up.outputs.imageUri.value), new RegExp(`/${repository}@${digest}$`));
        assert.deepEqual(up.outputs.tags.value, ["v1"]);
        assert.equal(up.outputs.tagIsNewest.value, true);
        assert.deepEqual(ownedResources("image-digest", stack.name), [], "a data source creates nothing");
    });

    it("a preview right after up shows no changes", async () => {
        assertNoChanges((await stack.preview()).changeSummary, "preview after up");
    });

    it("when the tag moves to a new image, the next up reads the new digest", async function () {
        // moto gives every manifest the digest of an empty body, so there is no "new digest" to see.
        if (ctx.kind === "moto") this.skip();
        const v2 = await putImage(ctx.ecr, repository, "v1");
        assert.notEqual(v2, v1);
        const up = await stack.up();
        assert.equal(up.outputs.digest.value, v2);
        assert.equal(up.outputs.newestDigest.value, v2);
    });

    it("a tag that does not exist fails the update with a message naming the repository and the tag", async () => {
        await stack.setConfig("tag", { value: "no-such-tag" });
        await assert.rejects(stack.up(), (e: Error) => {
            assert.match(e.message, new RegExp(repository));
            assert.match(e.message, /no-such-tag/);
            return true;
        });
        await stack.setConfig("tag", { value: "v1" });
    });

    it("destroy leaves the repository and its images as they were", async () => {
        const result = await stack.destroy();
        assert.equal(result.summary.result, "succeeded");
        const images = await ctx.ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
        assert.equal(images.imageDetails?.length, ctx.kind === "moto" ? 1 : 2, "the pushed images are still there");
    });
});

describe("e2e: examples/registry-login through the Pulumi CLI", function () {
    this.timeout(5 * 60_000);

    let ctx: E2eContext;
    let stack: Stack;
    let console = "";
    let password = "";
    let token = "";

    before(async () => {
        ctx = await e2e();
        stack = await openStack({
            dir: examplesDir("registry-login"),
            stackName: uniqueName("e2e-login"),
            env: ctx.env,
            config: { "aws:region": REGION },
        });
    });

    after(async () => {
        await stack?.destroy().catch(() => undefined);
        await removeStack(stack);
    });

    it("up exports a working login: address and user name in plain text, password and docker config as secrets", async () => {
        const up = await stack.up({ onOutput: (s) => (console += s) });
        assert.equal(up.outputs.userName.value, "AWS");
        assert.equal(up.outputs.userName.secret, false);
        assert.equal(up.outputs.proxyEndpoint.secret, false);
        assert.equal(up.outputs.password.secret, true);
        assert.equal(up.outputs.dockerConfigJson.secret, true);
        // moto reports the moment of the call as the expiry; ECR and the local endpoint, 12 hours later.
        if (ctx.kind !== "moto") assert.ok(Date.parse(String(up.outputs.expiresAt.value)) > Date.now(), "not expired");

        // `stack output --show-secrets`, as a user would to log in.
        const shown = await stack.outputs();
        password = String(shown.password.value);
        assert.ok(password.length >= 16, "a password was read");
        token = Buffer.from(`AWS:${password}`).toString("base64");
        const docker = JSON.parse(String(shown.dockerConfigJson.value));
        const auths = Object.values(docker.auths) as { auth: string }[];
        assert.equal(auths.length, 1);
        assert.equal(auths[0].auth, token, "docker config carries the same credentials");

        // The credentials are what ECR hands out: same shape as GetAuthorizationToken's own answer.
        const direct = await ctx.ecr.send(new GetAuthorizationTokenCommand({}));
        const directToken = direct.authorizationData?.[0]?.authorizationToken ?? "";
        assert.match(Buffer.from(directToken, "base64").toString(), /^AWS:.+/);
        assert.equal(new URL(String(shown.proxyEndpoint.value)).host, new URL(direct.authorizationData![0].proxyEndpoint!).host);

        if (ctx.kind === "local") {
            // The local endpoint's registry is a real one: the password logs in, a wrong one does not.
            const registry = `${ctx.url}/v2/`;
            const ok = await fetch(registry, { headers: { Authorization: `Basic ${token}` } });
            assert.equal(ok.status, 200, "docker login with the exported password succeeds");
            const bad = await fetch(registry, { headers: { Authorization: `Basic ${Buffer.from("AWS:wrong").toString("base64")}` } });
            assert.equal(bad.status, 401);
        }
    });

    it("a preview right after up shows no changes", async () => {
        assertNoChanges((await stack.preview()).changeSummary, "preview after up");
    });

    it("neither the console nor any state file (checkpoint, backups, history) holds the token or password in plain text", async () => {
        assert.ok(password && token, "the first step read the credentials");
        assert.ok(!console.includes(password), "the console output shows no password");
        const files = stackFiles("registry-login", stack.name);
        assert.ok(files.length >= 2, `found the stack's state files: ${files}`);
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            assert.ok(!text.includes(password), `${file} holds the password in plain text`);
            assert.ok(!text.includes(token), `${file} holds the base64 token in plain text`);
        }
        // The outputs are in the checkpoint all the same, as ciphertext.
        const stackResource = checkpointResources("registry-login", stack.name).find((r) => r.type === "pulumi:pulumi:Stack");
        const stored = stackResource?.outputs?.password as Record<string, unknown> | undefined;
        assert.equal(stored?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "password is stored as a secret");
        assert.equal(typeof stored?.ciphertext, "string");
    });

    it("destroy leaves no resources and no credentials in state", async () => {
        assert.ok(password, "the first step read the credentials");
        const result = await stack.destroy();
        assert.equal(result.summary.result, "succeeded");
        assert.deepEqual(ownedResources("registry-login", stack.name), []);
        for (const file of stackFiles("registry-login", stack.name)) {
            assert.ok(!fs.readFileSync(file, "utf8").includes(password), `${file} holds the password`);
        }
    });
});

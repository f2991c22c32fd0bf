/**
 * examples/push through the real Pulumi CLI, with no Docker anywhere: the test writes an OCI
 * layout (two platforms) with Node alone, then preview shows the image's digest before anything
 * is pushed, up pushes it, reads it back with getImageOutput, retags it with ImageTag and copies
 * it with ImageCopy; everything is checked on ECR's side through the AWS SDK; a second up is a
 * no-op; destroy removes everything.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchGetImageCommand, DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { type OciLayout, makeOciLayout } from "../helpers/ociLayout";
import { StepLog, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { E2eContext, REGION, describeRepository, e2e, examplesDir } from "./context";

describe("e2e: examples/push (Image, getImageOutput, ImageTag, ImageCopy) through the Pulumi CLI", function () {
    this.timeout(10 * 60_000);
    let ctx: E2eContext;
    let stack: Stack;
    let tmp: string;
    let layout: OciLayout;
    let repositories: { app?: string; mirror?: string } = {};

    before(async function () {
        ctx = await e2e();
        // moto has no layer operations: nothing here can run on it.
        if (ctx.kind === "moto") this.skip();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "push-e2e-"));
        layout = makeOciLayout(path.join(tmp, "app-oci"), { layers: [600_000, 40_000], platforms: ["linux/amd64", "linux/arm64"] });
        stack = await openStack({
            dir: examplesDir("push"),
            stackName: uniqueName("e2e-push"),
            env: ctx.env,
            config: { "aws:region": REGION, layout: layout.dir, version: "1.4.2" },
        });
    });
    after(async () => {
        await stack?.destroy().catch(() => undefined);
        await removeStack(stack);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function imageOnEcr(repositoryName: string) {
        const d = await ctx.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: layout.digest }] }));
        const got = await ctx.ecr.send(
            new BatchGetImageCommand({
                repositoryName,
                imageIds: [{ imageDigest: layout.digest }],
                acceptedMediaTypes: [layout.mediaType],
            }),
        );
        return { tags: [...(d.imageDetails?.[0]?.imageTags ?? [])].sort(), manifest: got.images?.[0]?.imageManifest };
    }

    it("preview shows the image's digest (the layout's) before anything is pushed", async () => {
        const planned: Record<string, unknown> = {};
        const preview = await stack.preview({
            onEvent: (e: EngineEvent) => {
                const m = e.resourcePreEvent?.metadata;
                if (m?.type === "pulumi-nodejs:dynamic/ecr:Image")
                    planned.image = m.new?.inputs?.imageDigest ?? m.new?.outputs?.imageDigest;
                if (m?.type === "pulumi-nodejs:dynamic/ecr:ImageTag") planned.tag = m.new?.inputs?.sourceDigest;
            },
        });
        assert.equal(planned.image, layout.digest);
        assert.equal(planned.tag, layout.digest, "ImageTag's source digest is known at preview too");
        assert.equal(preview.changeSummary.create, 6, JSON.stringify(preview.changeSummary)); // stack, 2 repositories, Image, ImageTag, ImageCopy
    });

    it("up pushes, reads back, retags and copies: every output matches ECR", async () => {
        const up = await stack.up();
        const out = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
        repositories = { app: out.repositoryName, mirror: out.mirrorName };
        const app = await describeRepository(ctx.ecr, out.repositoryName);
        const mirror = await describeRepository(ctx.ecr, out.mirrorName);
        assert.ok(app && mirror);

        assert.equal(out.imageDigest, layout.digest);
        assert.equal(out.imageUri, `${app.repositoryUri}@${layout.digest}`);
        assert.equal(out.readBackDigest, layout.digest, "getImageOutput reads the pushed digest back");
        assert.ok(out.readBackTags.includes("1.4.2"), `read-back tags ${JSON.stringify(out.readBackTags)}`); // "prod" too if ImageTag ran first
        assert.equal(out.prodDigest, layout.digest);
        assert.equal(out.prodUri, `${app.repositoryUri}@${layout.digest}`);
        assert.equal(out.mirrorDigest, layout.digest, "the copy keeps the digest");
        assert.equal(out.mirrorUri, `${mirror.repositoryUri}@${layout.digest}`);
        assert.deepEqual(out.mirrorTags, ["1.4.2", "prod"]);
        const blobBytes = [...layout.blobs.entries()]
            .filter(([d]) => d !== layout.digest && !layout.images.some((i) => i.digest === d))
            .reduce((n, [, b]) => n + b.length, 0);
        assert.equal(out.bytesUploaded, blobBytes, "every config and layer was uploaded once");
        assert.equal(out.bytesCopied, blobBytes, "and copied once");

        const inApp = await imageOnEcr(out.repositoryName);
        assert.deepEqual(inApp.tags, ["1.4.2", "prod"]);
        assert.equal(inApp.manifest, layout.manifest.toString("utf8"), "ECR holds the layout's index bytes");
        const inMirror = await imageOnEcr(out.mirrorName);
        assert.deepEqual(inMirror.tags, ["1.4.2", "prod"]);
        assert.equal(inMirror.manifest, layout.manifest.toString("utf8"));
    });

    it("a second up changes nothing", async () => {
        const log = new StepLog();
        const up = await stack.up({ onEvent: log.onEvent });
        const changed = Object.entries(up.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
        assert.deepEqual(changed, [], JSON.stringify(up.summary.resourceChanges));
    });

    it("destroy removes the images and both repositories", async () => {
        await stack.destroy();
        assert.equal(await describeRepository(ctx.ecr, repositories.app!), undefined);
        assert.equal(await describeRepository(ctx.ecr, repositories.mirror!), undefined);
    });
});

/**
 * Image through the real Pulumi CLI and engine: preview shows the exact digest before anything is
 * pushed, up pushes with progress on the Image's own line, a second preview is a no-op, a tag
 * change updates in place, and destroy removes the image. Checked on ECR's side with the SDK.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { StepLog, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { makeOciLayout } from "../helpers/ociLayout";
import { E2eContext, REGION, e2e, fixtureDir } from "./context";

describe("e2e: Image through the Pulumi CLI", function () {
    this.timeout(10 * 60_000);
    let ctx: E2eContext;
    let stack: Stack;
    let tmp: string;
    let digest: string;
    let repository: string;

    before(async () => {
        ctx = await e2e();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-e2e-"));
        digest = makeOciLayout(path.join(tmp, "oci"), { layers: [12 * 1024 * 1024, 4096] }).digest;
        stack = await openStack({
            dir: fixtureDir("image"),
            stackName: uniqueName("e2e-image"),
            env: ctx.env,
            config: { "aws:region": REGION, source: path.join(tmp, "oci"), tags: "v1,latest" },
        });
    });
    after(async () => {
        try {
            await stack?.destroy();
        } catch {
            // best effort
        }
        await removeStack(stack);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const tagsOnEcr = async () => {
        try {
            const d = await ctx.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }));
            return [...(d.imageDetails?.[0]?.imageTags ?? [])].sort();
        } catch (e) {
            if (["ImageNotFoundException", "RepositoryNotFoundException"].includes((e as Error).name)) return undefined;
            throw e;
        }
    };

    it("preview shows the exact imageDigest before anything is pushed", async () => {
        let planned: unknown;
        await stack.preview({
            onEvent: (e: EngineEvent) => {
                const m = e.resourcePreEvent?.metadata;
                if (m?.type === "pulumi-nodejs:dynamic/ecr:Image") planned = m.new?.inputs?.imageDigest ?? m.new?.outputs?.imageDigest;
            },
        });
        assert.equal(planned, digest);
    });

    it("up pushes it, with progress on the Image's own line of the display", async () => {
        const messages: { urn?: string; message: string; ephemeral?: boolean }[] = [];
        const result = await stack.up({
            onEvent: (e: EngineEvent) => {
                const d = e.diagnosticEvent;
                if (d && d.severity === "info") messages.push({ urn: d.urn, message: d.message, ephemeral: d.ephemeral });
            },
        });
        assert.equal(result.outputs.imageDigest.value, digest);
        repository = result.outputs.repositoryName.value;
        assert.match(result.outputs.imageUri.value, new RegExp(`/${repository}@${digest}$`));
        assert.ok(result.outputs.bytesUploaded.value > 12 * 1024 * 1024);
        assert.deepEqual(await tagsOnEcr(), ["latest", "v1"]);
        const mine = messages.filter((m) => m.urn?.endsWith("pulumi-nodejs:dynamic/ecr:Image::app"));
        assert.ok(
            mine.some((m) => /^pushed images-[a-z0-9]+@[0-9a-f]{12}: 12\.\d MB in 3 layers/.test(m.message)),
            `a summary on the Image's line: ${JSON.stringify(messages)}`,
        );
    });

    it("a second preview is a no-op; a tag change updates in place", async () => {
        const pre = await stack.preview();
        assert.deepEqual(
            Object.keys(pre.changeSummary).filter((k) => k !== "same"),
            [],
        );
        await stack.setConfig("tags", { value: "v1,stable" });
        const log = new StepLog();
        await stack.up({ onEvent: log.onEvent });
        assert.deepEqual(log.opsOf("Image"), ["update"]);
        assert.deepEqual(await tagsOnEcr(), ["stable", "v1"]);
    });

    it("destroy removes the image, so the repository (no forceDelete) can go too", async () => {
        const log = new StepLog();
        await stack.destroy({ onEvent: log.onEvent });
        assert.deepEqual(log.opsOf("Image"), ["delete"]);
        assert.deepEqual(log.opsOf("Repository"), ["delete"]);
    });
});

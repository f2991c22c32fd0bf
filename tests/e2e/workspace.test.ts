/**
 * The package in a monorepo, through the real engine.
 *
 * GIVEN an npm workspace whose `packages/pulumi-ecr` holds the package (real files, outside any
 *       node_modules) and whose `infra` program depends on it, so that node_modules/pulumi-ecr is a
 *       symlink, as with `npm link`, yarn/pnpm workspaces or a `file:` dependency
 * WHEN the program runs `up`, `preview` and `destroy` through the workspace's own @pulumi/pulumi
 * THEN Pulumi stores every provider by value (no `require("pulumi-ecr/...")` in state), and the
 *      stored providers still validate, create, diff and delete: the repository and both policies
 *      exist after `up`, a `preview` shows no change, and `destroy` removes them.
 */
import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetLifecyclePolicyCommand, GetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { REPO_ROOT, STATE_DIR, TOOLS_DIR, ensureBuilt, pulumiEnv, uniqueName } from "../helpers/pulumi";
import { describeRepository, e2e, fixtureDir } from "./context";

const installedVersion = (name: string): string =>
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")).version;

describe("a workspace (linked) install: providers stored by value", function () {
    this.timeout(900_000);
    let root: string;
    let infra: string;
    const stack = uniqueName("ws");
    const repositoryName = uniqueName("e2e-ws");

    // Asynchronous on purpose: the local ECR endpoint serves from this process's event loop.
    function run(
        step: string,
        settings: object = { repositoryName },
    ): Promise<{ summary: Record<string, number>; outputs?: Record<string, string> }> {
        return new Promise((resolve, reject) => {
            execFile(
                process.execPath,
                [path.join(infra, "driver.js"), step, stack, JSON.stringify(settings)],
                {
                    cwd: infra,
                    encoding: "utf8",
                    env: { ...process.env, ...env, PULUMI_ECR_TOOLS_DIR: TOOLS_DIR },
                    maxBuffer: 64 * 1024 * 1024,
                },
                (err, stdout, stderr) => {
                    if (err) reject(new Error(`driver ${step} failed:\n${stderr}`));
                    else resolve(JSON.parse(stdout.trim().split("\n").pop()!));
                },
            );
        });
    }
    let env: Record<string, string> = {};

    before(async () => {
        ensureBuilt();
        fs.mkdirSync(STATE_DIR, { recursive: true });
        const ctx = await e2e();
        env = pulumiEnv(ctx.env);
        root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ecr-workspace-"));
        const pkgDir = path.join(root, "packages", "pulumi-ecr");
        infra = path.join(root, "infra");
        fs.mkdirSync(pkgDir, { recursive: true });
        fs.mkdirSync(infra, { recursive: true });
        fs.cpSync(path.join(REPO_ROOT, "package.json"), path.join(pkgDir, "package.json"));
        fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(pkgDir, "dist"), { recursive: true });
        for (const f of ["program.js", "driver.js"]) fs.copyFileSync(path.join(fixtureDir("workspace"), f), path.join(infra, f));
        fs.writeFileSync(
            path.join(root, "package.json"),
            JSON.stringify({ name: "monorepo", private: true, workspaces: ["packages/*", "infra"] }),
        );
        fs.writeFileSync(
            path.join(infra, "package.json"),
            JSON.stringify({
                name: "infra",
                private: true,
                dependencies: { "pulumi-ecr": "*", "@pulumi/pulumi": installedVersion("@pulumi/pulumi") },
            }),
        );
        fs.writeFileSync(path.join(infra, "Pulumi.yaml"), "name: workspace-infra\nruntime: nodejs\n");
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: "pipe" });
        const link = path.join(root, "node_modules", "pulumi-ecr");
        assert.ok(fs.lstatSync(link).isSymbolicLink(), "npm did not link the workspace package");
        assert.equal(fs.realpathSync(link), fs.realpathSync(pkgDir));
    });

    after(async () => {
        if (!infra) return;
        await run("destroy").catch(() => undefined); // already destroyed by the test
        await run("rm").catch(() => undefined);
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("refuses bad input in check() with the property named, before creating anything", async () => {
        const { ecr } = await e2e();
        await assert.rejects(run("up", { repositoryName, mutability: "SOMETIMES" }), /imageTagMutability.*must be one of/s);
        assert.equal(await describeRepository(ecr, repositoryName), undefined);
    });

    it("creates, shows no change on preview, and destroys, with every provider stored by value", async () => {
        const { ecr } = await e2e();
        const up = await run("up");
        assert.equal(up.summary.create, 3, JSON.stringify(up.summary)); // the stack itself exists since the refused run
        assert.ok(up.outputs?.repositoryUrl.endsWith(`/${repositoryName}`));
        assert.ok(await describeRepository(ecr, repositoryName));
        const policy = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }));
        assert.match(policy.policyText ?? "", /123456789012/);
        const lifecycle = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
        assert.match(lifecycle.lifecyclePolicyText ?? "", /sinceImagePushed/);

        const checkpoint = JSON.parse(
            fs.readFileSync(path.join(STATE_DIR, ".pulumi", "stacks", "workspace-infra", `${stack}.json`), "utf8"),
        );
        const providers = (checkpoint.checkpoint.latest.resources as { type: string; inputs?: { __provider?: string } }[])
            .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/ecr:"))
            .map((r) => r.inputs?.__provider ?? "");
        assert.equal(providers.length, 3);
        for (const p of providers) {
            assert.doesNotMatch(p, /require\("pulumi-ecr\//, "a linked install cannot be stored as a require() of the package");
            assert.ok(p.length > 1_000, `expected the provider by value, got ${p.length} bytes`);
        }

        const preview = await run("preview");
        assert.deepEqual(
            Object.entries(preview.summary).filter(([op]) => op !== "same"),
            [],
            `preview after up shows changes: ${JSON.stringify(preview.summary)}`,
        );

        const down = await run("destroy");
        assert.equal(down.summary.delete, 4, JSON.stringify(down.summary));
        assert.equal(await describeRepository(ecr, repositoryName), undefined);
    });
});

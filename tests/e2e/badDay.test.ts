/**
 * A bad day, end to end.
 *
 * GIVEN the local endpoint failing about half of all API calls (throttling, HTTP 500, connection
 *       resets and lost replies, seeded) and a program of 30 auto-named repositories, each with a
 *       RepositoryPolicy and a LifecyclePolicy, run by the real CLI and engine (Automation API)
 * WHEN  it is previewed, brought up, previewed again and destroyed, with the production retry
 *       settings (25 attempts, the SDK's standard backoff: no test-only shortcuts)
 * THEN  every step ends without error, the second preview shows no change, ECR held exactly the 30
 *       repositories with both policies in between, and nothing is left behind after destroy.
 * The figures (calls, faults by kind, step times) are printed, not asserted: no timed tests.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    ListTagsForResourceCommand,
    paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { ecrClient, resetClients } from "../../provider/client";
import { useEndpoint } from "../helpers/moto";
import { STATE_DIR, TOOLS_DIR, awsEnv, ensureBuilt, pulumiEnv, uniqueName } from "../helpers/pulumi";
import { REGION, fixtureDir } from "./context";

const COUNT = 30;
const FAULTS = { throttleRate: 0.2, errorRate: 0.1, resetRate: 0.1, lostReplyRate: 0.1, seed: 2026 };

describe("e2e: a bad day (half of all calls fail) through the Pulumi CLI", function () {
    this.timeout(900_000);
    const driver = path.join(fixtureDir("interrupted"), "driver.js");
    const stack = uniqueName("badday");
    // The CLI's own scale of parallelism: with half of all calls waiting on backoff, 10 at a time would mostly wait.
    const settings = { count: COUNT, policies: true, parallel: 32 };
    let ecr: LocalEcr;
    let sdk: ECRClient;
    let restoreEnv: (() => void) | undefined;
    let env: Record<string, string>;
    let calls = 0;
    const figures: string[] = [];

    before(async () => {
        ensureBuilt();
        fs.mkdirSync(STATE_DIR, { recursive: true });
        ecr = await startLocalEcr({ faults: FAULTS, log: () => calls++ });
        // The test's own reads go to the same endpoint and meet the same faults: they go through the
        // providers' own client (25 attempts, no retry quota to drain), in this process.
        restoreEnv = useEndpoint(ecr.url, REGION);
        resetClients();
        sdk = ecrClient(REGION);
        env = { ...pulumiEnv(awsEnv(ecr.url, REGION)), PULUMI_ECR_TOOLS_DIR: TOOLS_DIR };
    });
    after(async () => {
        console.log(`      ${figures.join("\n      ")}`);
        await run("rm").catch(() => undefined);
        resetClients();
        restoreEnv?.();
        await ecr?.stop();
    });

    /** One driver step (asynchronously: the endpoint serves from this process); its figures are recorded. */
    async function run(step: string): Promise<Record<string, number>> {
        const before = { calls, ...ecr.faultsInjected() };
        const t0 = Date.now();
        const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [driver, step, stack, JSON.stringify(settings)], {
                cwd: path.dirname(driver),
                env: { ...process.env, ...env },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            let err = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (err += d));
            child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
        });
        const f = ecr.faultsInjected();
        const faults = (["throttle", "error", "reset", "lostReply"] as const).map((k) => `${k} ${f[k] - before[k]}`).join(", ");
        const n = calls - before.calls;
        const failed = (["throttle", "error", "reset", "lostReply"] as const).reduce((a, k) => a + f[k] - before[k], 0);
        figures.push(`${step}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${n} API calls, ${failed} faulted (${faults})`);
        assert.equal(code, 0, `${step} failed:\n${stderr.slice(-4000)}`);
        return JSON.parse(stdout.trim().split("\n").pop() || "{}").summary ?? {};
    }

    async function repositories(): Promise<string[]> {
        const names: string[] = [];
        for await (const page of paginateDescribeRepositories({ client: sdk }, {}))
            names.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
        return names.sort();
    }

    it("preview of the new stack succeeds", async () => {
        const summary = await run("preview");
        assert.equal(summary.create, 3 * COUNT + 1, JSON.stringify(summary));
    });

    it("up creates the 30 repositories and their 60 policies, without error", async () => {
        const summary = await run("up");
        assert.equal(summary.create, 3 * COUNT + 1, JSON.stringify(summary));
        const names = await repositories();
        assert.equal(names.length, COUNT, `exactly ${COUNT} repositories, none twice: ${names.join(", ")}`);
        await Promise.all(
            names.map(async (repositoryName) => {
                assert.match((await sdk.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText ?? "", /BatchGetImage/);
                assert.match(
                    (await sdk.send(new GetLifecyclePolicyCommand({ repositoryName }))).lifecyclePolicyText ?? "",
                    /imageCountMoreThan/,
                );
            }),
        );
        const [first] = names;
        const arn = `arn:aws:ecr:${REGION}:000000000000:repository/${first}`;
        const tags = (await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
        assert.ok(
            tags.some((t) => t.Key === "pulumi-ecr:owner"),
            "created with the ownership tag",
        );
    });

    it("a preview after up shows no change", async () => {
        const summary = await run("preview");
        assert.deepEqual(
            Object.entries(summary).filter(([op]) => op !== "same"),
            [],
            JSON.stringify(summary),
        );
    });

    it("destroy removes everything, without error", async () => {
        const summary = await run("destroy");
        assert.equal(summary.delete, 3 * COUNT + 1, JSON.stringify(summary));
        assert.deepEqual(await repositories(), [], "nothing left behind");
        const f = ecr.faultsInjected();
        const failed = f.throttle + f.error + f.reset + f.lostReply;
        figures.push(`in all: ${calls} API calls (the test's own included), ${failed} faulted (${Math.round((100 * failed) / calls)}%)`);
        assert.ok(failed / calls > 0.4, `about half of all calls failed (${failed} of ${calls})`);
    });
});

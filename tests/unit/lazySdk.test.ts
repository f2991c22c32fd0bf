/**
 * A preview runs only `check` and `diff`, which never call AWS: the provider modules load the AWS
 * SDK on first use, not at module top, so a preview's provider process does not pay for loading it
 * (about 100 ms per process). GIVEN each provider module loaded in a fresh process, WHEN check and
 * diff run, THEN `@aws-sdk/client-ecr` is still not loaded; and a call that needs it loads it.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

function run(script: string): string {
    return execFileSync(process.execPath, ["-r", "ts-node/register", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
            ...process.env,
            TS_NODE_PROJECT: path.join(ROOT, "tests", "tsconfig.json"),
            TS_NODE_TRANSPILE_ONLY: "true",
            AWS_REGION: "us-east-1",
        },
    }).trim();
}

describe("the repository providers load the AWS SDK lazily", function () {
    this.timeout(60_000);

    it("check and diff of Repository, RepositoryPolicy and LifecyclePolicy leave @aws-sdk/client-ecr unloaded; building a client loads it", () => {
        const out = run(`
            const loaded = () => Object.keys(require.cache).some((k) => k.includes("@aws-sdk/client-ecr"));
            const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] };
            const lifecycle = { rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } }] };
            const cases = [
                ["./provider/repository", { name: "app", region: "us-east-1" }],
                ["./provider/repositoryPolicy", { repository: "app", policy, region: "us-east-1" }],
                ["./provider/lifecyclePolicy", { repository: "app", policy: lifecycle, region: "us-east-1" }],
            ];
            (async () => {
                const seen = [];
                for (const [m, news] of cases) {
                    const p = require(m);
                    const { inputs, failures } = await p.check({}, news);
                    if (failures.length) throw new Error(m + ": " + JSON.stringify(failures));
                    await p.diff("app", inputs, inputs);
                    seen.push(loaded());
                }
                require("./provider/client").ecrClient("us-east-1");
                seen.push(loaded());
                console.log(JSON.stringify(seen));
            })().catch((e) => { console.error(e); process.exit(1); });`);
        assert.deepEqual(JSON.parse(out.split("\n").pop()!), [false, false, false, true]);
    });
});

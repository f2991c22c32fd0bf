/**
 * The sdk/ classes' wiring: type tokens, inputs handed to the engine, the stored provider's size.
 * setMocks runs in a process of its own, from a directory with its own package.json, so that
 * `pulumi-ecr` resolves from node_modules as in a user's project (run `make build` first).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

describe("sdk wiring (setMocks, own process)", function () {
    this.timeout(120_000);
    let registered: Registered[];
    let outputs: { url: string; bareHasOutputs: boolean };

    before(() => {
        const dir = path.join(__dirname, "wiring");
        const out = execFileSync(process.execPath, ["-r", "ts-node/register", "program.ts"], {
            cwd: dir,
            env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json"), AWS_REGION: "us-east-1" },
            encoding: "utf8",
        });
        ({ registered, outputs } = JSON.parse(out.trim().split("\n").pop()!));
    });

    const find = (type: string, name: string) => {
        const r = registered.find((x) => x.type === type && x.name === name);
        assert.ok(r, `${type} ${name} was not registered: ${registered.map((x) => `${x.type}/${x.name}`).join(", ")}`);
        return r;
    };

    it("registers each resource under its fixed type token", () => {
        find("pulumi-nodejs:dynamic/ecr:Repository", "app");
        find("pulumi-nodejs:dynamic/ecr:RepositoryPolicy", "app");
        find("pulumi-nodejs:dynamic/ecr:LifecyclePolicy", "app");
    });

    it("hands the engine the program's inputs and the auto-name prefix, never credentials", () => {
        const repo = find("pulumi-nodejs:dynamic/ecr:Repository", "app");
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.equal(repo.inputs.forceDelete, true);
        assert.deepEqual(repo.inputs.tags, { team: "a" });
        assert.equal(repo.inputs.__autoNamePrefix, "app");
        const text = JSON.stringify(registered);
        assert.ok(!/AWS_SECRET_ACCESS_KEY|secretAccessKey|accessKeyId/i.test(text), "no credentials in any input bag");
    });

    it("stores the provider as a one-line require of the installed package, a few hundred bytes", () => {
        for (const [type, kind] of [
            ["Repository", "repository"],
            ["RepositoryPolicy", "repositoryPolicy"],
            ["LifecyclePolicy", "lifecyclePolicy"],
            ["RegistryPolicy", "registryPolicy"],
            ["RegistryPolicyStatement", "registryPolicyStatement"],
            ["ReplicationConfiguration", "replicationConfiguration"],
            ["ReplicationRule", "replicationRule"],
            ["RegistryScanningConfiguration", "registryScanningConfiguration"],
            ["PullThroughCacheRule", "pullThroughCacheRule"],
            ["RepositoryCreationTemplate", "repositoryCreationTemplate"],
            ["AccountSetting", "accountSetting"],
            ["PullTimeUpdateExclusion", "pullTimeUpdateExclusion"],
        ]) {
            const provider: string = find(`pulumi-nodejs:dynamic/ecr:${type}`, "app").inputs.__provider;
            assert.ok(provider.includes(`require("pulumi-ecr/provider/${kind}")`), provider.slice(0, 400));
            assert.ok(provider.length < 400, `serialized ${type} provider is ${provider.length} bytes`);
            assert.ok(!provider.includes("@aws-sdk"), "the AWS SDK is required at run time, not captured");
        }
    });

    it("exposes every output, even for inputs left out", () => {
        assert.equal(outputs.bareHasOutputs, true);
        assert.equal(outputs.url, "url/app");
    });
});

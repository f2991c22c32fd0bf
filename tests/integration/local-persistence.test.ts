/**
 * `ecr-local --data DIR` as a real process: state survives a restart, a `kill -9` loses nothing
 * the endpoint acknowledged, and SIGTERM stops it cleanly.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { MiB, client, pushImage, randomLayer } from "../conformance/fixtures";
import { randomName } from "../helpers/names";

const ROOT = path.resolve(__dirname, "..", "..");

interface Running {
    child: ChildProcess;
    url: string;
    output: () => string;
}

/** Starts the CLI from source (ts-node, transpile only) and waits for its READY line. */
async function startCli(args: string[]): Promise<Running> {
    const child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "local", "cli.ts"), "--port", "0", ...args],
        {
            cwd: ROOT,
            env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let out = "";
    child.stdout!.on("data", (d) => (out += d.toString()));
    child.stderr!.on("data", (d) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`ecr-local did not get ready:\n${out}`)), 30_000);
        const poll = setInterval(() => {
            const m = /^READY (\S+)$/m.exec(out);
            if (m) {
                clearTimeout(timer);
                clearInterval(poll);
                resolve(m[1]);
            }
        }, 20);
        child.once("exit", (code) => {
            clearTimeout(timer);
            clearInterval(poll);
            reject(new Error(`ecr-local exited with ${code}:\n${out}`));
        });
    });
    return { child, url, output: () => out };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
    return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("local ECR endpoint: persistence and the ecr-local CLI", function () {
    this.timeout(120_000);
    let dir: string;
    const running: Running[] = [];

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-data-"));
    });
    afterEach(async () => {
        for (const r of running.splice(0)) {
            if (r.child.exitCode === null && r.child.signalCode === null) {
                r.child.kill("SIGKILL");
                await exited(r.child);
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function start(args: string[] = ["--data", dir]): Promise<Running> {
        const r = await startCli(args);
        running.push(r);
        return r;
    }

    it("keeps repositories, images, policies, layers, tokens and a half-done upload across kill -9", async () => {
        const first = await start();
        const sdk = client(first.url);
        const name = randomName("durable");
        await sdk.send(
            new c.CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE", tags: [{ Key: "k", Value: "v" }] }),
        );
        const image = await pushImage(sdk, name, { tag: "v1" });
        const policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }],
        });
        await sdk.send(new c.SetRepositoryPolicyCommand({ repositoryName: name, policyText: policy }));
        const token = (await sdk.send(new c.GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
        const big = randomLayer(6 * MiB);
        const { uploadId } = await sdk.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
        const firstPart = big.data.subarray(0, 5 * MiB);
        await sdk.send(
            new c.UploadLayerPartCommand({
                repositoryName: name,
                uploadId,
                partFirstByte: 0,
                partLastByte: firstPart.length - 1,
                layerPartBlob: firstPart,
            }),
        );
        first.child.kill("SIGKILL");
        assert.equal((await exited(first.child)).signal, "SIGKILL");
        sdk.destroy();

        const second = await start();
        const again = client(second.url);
        const repo = (await again.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
        assert.equal(repo.imageTagMutability, "IMMUTABLE");
        const d = await again.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
        assert.equal(d.imageDetails![0].imageDigest, image.digest);
        assert.equal((await again.send(new c.GetRepositoryPolicyCommand({ repositoryName: name }))).policyText, policy);
        assert.deepEqual((await again.send(new c.ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags, [
            { Key: "k", Value: "v" },
        ]);

        const { downloadUrl } = await again.send(
            new c.GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest: image.layers[0].digest }),
        );
        assert.ok(Buffer.from(await (await fetch(downloadUrl!)).arrayBuffer()).equals(image.layers[0].data));

        const manifest = await fetch(`${second.url}/v2/${name}/manifests/v1`, { headers: { Authorization: `Basic ${token}` } });
        assert.equal(manifest.status, 200, "a token issued before the restart still logs in");
        assert.equal(await manifest.text(), image.manifest);

        const rest = big.data.subarray(5 * MiB);
        const cont = await again.send(
            new c.UploadLayerPartCommand({
                repositoryName: name,
                uploadId,
                partFirstByte: 5 * MiB,
                partLastByte: big.size - 1,
                layerPartBlob: rest,
            }),
        );
        assert.equal(cont.lastByteReceived, big.size - 1);
        const done = await again.send(new c.CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [big.digest] }));
        assert.equal(done.layerDigest, big.digest);
        again.destroy();
    });

    it("loses no acknowledged CreateRepository when killed mid-stream", async () => {
        const first = await start();
        const sdk = client(first.url, "us-east-1", 1);
        const acknowledged: string[] = [];
        // Kill once the stream is well under way (enough acknowledged creates), or if the writer stops early.
        let underWay!: () => void;
        const enough = new Promise<void>((r) => (underWay = r));
        const writer = (async () => {
            for (let i = 0; i < 2000; i++) {
                const name = randomName(`burst-${i}`);
                try {
                    await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name }));
                } catch {
                    return; // the process is gone
                }
                acknowledged.push(name);
                if (acknowledged.length === 100) underWay();
            }
        })();
        await Promise.race([enough, writer]);
        first.child.kill("SIGKILL");
        await writer;
        sdk.destroy();
        assert.ok(acknowledged.length > 0, "some creates were acknowledged before the kill");
        assert.ok(acknowledged.length < 2000, "the kill came mid-stream");

        const second = await start();
        const again = client(second.url);
        const names = new Set<string>();
        for await (const page of c.paginateDescribeRepositories({ client: again, pageSize: 1000 }, {})) {
            for (const r of page.repositories ?? []) names.add(r.repositoryName!);
        }
        const lost = acknowledged.filter((n) => !names.has(n));
        assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged repositories were lost`);
        again.destroy();
    });

    it("keeps the registry settings (policy, replication, scanning, cache rules, templates, account settings) across kill -9", async () => {
        const first = await start();
        const sdk = client(first.url);
        const policyText = JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["ecr:ReplicateImage"], Resource: "*" },
            ],
        });
        const rules = [{ destinations: [{ region: "eu-west-1", registryId: "210987654321" }] }];
        await sdk.send(new c.PutRegistryPolicyCommand({ policyText }));
        await sdk.send(new c.PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
        await sdk.send(new c.PutRegistryScanningConfigurationCommand({ scanType: "ENHANCED", rules: [] }));
        await sdk.send(new c.CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "k8s", upstreamRegistryUrl: "registry.k8s.io" }));
        await sdk.send(
            new c.CreateRepositoryCreationTemplateCommand({
                prefix: "team",
                appliedFor: ["CREATE_ON_PUSH"],
                imageTagMutability: "IMMUTABLE",
            }),
        );
        await sdk.send(new c.PutAccountSettingCommand({ name: "REGISTRY_POLICY_SCOPE", value: "V1" }));
        first.child.kill("SIGKILL");
        await exited(first.child);
        sdk.destroy();

        const second = await start();
        const again = client(second.url);
        assert.equal((await again.send(new c.GetRegistryPolicyCommand({}))).policyText, policyText);
        assert.deepEqual((await again.send(new c.DescribeRegistryCommand({}))).replicationConfiguration, { rules });
        assert.equal((await again.send(new c.GetRegistryScanningConfigurationCommand({}))).scanningConfiguration!.scanType, "ENHANCED");
        const cache = await again.send(new c.DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ["k8s"] }));
        assert.equal(cache.pullThroughCacheRules![0].upstreamRegistry, "k8s");
        const templates = await again.send(new c.DescribeRepositoryCreationTemplatesCommand({ prefixes: ["team"] }));
        assert.equal(templates.repositoryCreationTemplates![0].imageTagMutability, "IMMUTABLE");
        assert.equal((await again.send(new c.GetAccountSettingCommand({ name: "REGISTRY_POLICY_SCOPE" }))).value, "V1");
        again.destroy();
    });

    it("ignores the temporary file of a write that never reached its rename", async () => {
        const first = await start();
        const sdk = client(first.url);
        const name = randomName("torn");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name }));
        sdk.destroy();
        first.child.kill("SIGKILL");
        await exited(first.child);
        const torn = path.join(dir, "repositories", ".deadbeef.json.1.1.tmp");
        fs.writeFileSync(torn, '{"version":1,"repository":{"na');

        const second = await start();
        const again = client(second.url);
        const all = await again.send(new c.DescribeRepositoriesCommand({}));
        assert.deepEqual(
            all.repositories!.map((r) => r.repositoryName),
            [name],
        );
        assert.equal(fs.existsSync(torn), false, "the leftover is cleaned up");
        again.destroy();
    });

    it("keeps state in memory without --data, and stops cleanly on SIGTERM", async () => {
        const r = await start([]);
        assert.match(r.output(), /state in memory/);
        assert.match(r.output(), /aws ecr describe-repositories --endpoint-url http:\/\/127\.0\.0\.1:\d+/);
        r.child.kill("SIGTERM");
        const { code } = await exited(r.child);
        assert.equal(code, 0);
        assert.match(r.output(), /stopped on SIGTERM/);
        assert.equal(fs.readdirSync(dir).length, 0, "nothing was written to disk");
    });

    it("refuses an unknown flag with usage and exit code 2", async () => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "local", "cli.ts"), "--bogus"], {
            cwd: ROOT,
            env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let err = "";
        child.stderr!.on("data", (d) => (err += d.toString()));
        const { code } = await exited(child);
        assert.equal(code, 2);
        assert.match(err, /unknown option '--bogus'/);
        assert.match(err, /Usage: ecr-local/);
    });
});

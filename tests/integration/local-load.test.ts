/**
 * The short version of the load benchmark (tests/bench/local-load.ts): `ecr-local --data` as its own
 * process under 16 clients of mixed operations (layer uploads, PutImage, reads, repositories,
 * policies, tags) for a few seconds. No call fails, and after a kill -9 and a restart on the same
 * directory every acknowledged write is there. It asserts correctness only, never speed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { Store } from "../../local/store";
import { sha256 } from "../conformance/fixtures";
import { type EndpointProcess, loadClient, runLoad, startEndpointProcess, verifyModel } from "../helpers/load";
import { randomName } from "../helpers/names";

describe("local ECR endpoint: under concurrent load, with --data (integration, ecr-local process)", function () {
    this.timeout(120_000);
    let dir: string;
    const running: EndpointProcess[] = [];

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-load-"));
    });
    afterEach(async () => {
        for (const p of running.splice(0)) await p.kill9();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    async function start(): Promise<EndpointProcess> {
        const p = await startEndpointProcess(dir, { fromSource: true });
        running.push(p);
        return p;
    }

    it("16 clients of mixed operations for 5 seconds: no errors, and nothing acknowledged is lost across kill -9", async () => {
        const first = await start();
        const result = await runLoad({ url: first.url, clients: 16, durationMs: 5_000, prefix: `load-${Date.now().toString(36)}` });
        assert.deepEqual(result.errors.slice(0, 10), [], `${result.errors.length} calls failed or disagreed with acknowledged writes`);
        for (const op of [
            "CreateRepository",
            "CompleteLayerUpload",
            "PutImage",
            "SetRepositoryPolicy",
            "PutLifecyclePolicy",
            "TagResource",
        ]) {
            assert.ok((result.writes.get(op) ?? 0) > 0, `the mix exercised ${op}`);
        }
        assert.ok(result.model.live.size > 0, "some repositories are left to check");

        await first.kill9();
        const second = await start();
        const lost = await verifyModel(second.url, result.model);
        assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged writes lost or wrong after kill -9`);
    });

    it("frees a deleted repository's unfinished uploads: a repository of the same name cannot continue them", async () => {
        const ep = await start();
        const ecr = loadClient(ep.url);
        try {
            const name = randomName("uploads");
            await ecr.send(new c.CreateRepositoryCommand({ repositoryName: name }));
            const { uploadId } = await ecr.send(new c.InitiateLayerUploadCommand({ repositoryName: name }));
            assert.equal(fs.readdirSync(path.join(dir, "uploads")).length, 2, "the session's data and metadata files");
            await ecr.send(new c.DeleteRepositoryCommand({ repositoryName: name, force: true }));
            assert.deepEqual(fs.readdirSync(path.join(dir, "uploads")), [], "the session's files are gone with the repository");
            await ecr.send(new c.CreateRepositoryCommand({ repositoryName: name }));
            const part = Buffer.from("late part");
            await assert.rejects(
                ecr.send(
                    new c.UploadLayerPartCommand({
                        repositoryName: name,
                        uploadId,
                        partFirstByte: 0,
                        partLastByte: part.length - 1,
                        layerPartBlob: part,
                    }),
                ),
                c.UploadNotFoundException,
            );
        } finally {
            ecr.destroy();
        }
    });

    it("with --data, remembers a bounded number of blob sizes and still finds every blob, with its size, on disk", () => {
        const store = new Store(dir, 16);
        const digests: string[] = [];
        for (let i = 0; i < 40; i++) {
            const data = Buffer.from(`blob ${i}`);
            digests.push(sha256(data));
            store.putBlob(digests[i], data);
        }
        const cached = (store as unknown as { blobSizes: Map<string, number> }).blobSizes.size;
        assert.ok(cached <= 16, `the size cache stays bounded: ${cached} entries`);
        assert.equal(store.blobSize(digests[0]), Buffer.from("blob 0").length, "an evicted blob is found on disk");
        assert.equal(store.hasBlob(sha256("never stored")), false);
    });
});

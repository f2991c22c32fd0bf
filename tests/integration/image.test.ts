/**
 * Image against the local endpoint (moto has no layer operations): push from OCI layouts, OCI
 * archives and docker save tarballs through the provider's methods, read back from the registry
 * side with skopeo and compared byte for byte; re-push moves no bytes; tags update in place;
 * refresh sees out-of-band changes; delete semantics; an interrupted push leaves no tag and the
 * next create finishes it, reusing what was uploaded.
 */
import * as assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import * as image from "../../provider/images/image";
import { progressReporter } from "../../provider/images/progress";
import { useEndpoint } from "../helpers/moto";
import { randomName } from "../helpers/names";
import { makeDockerArchive, makeOciArchive, makeOciLayout, sha256 } from "../helpers/ociLayout";

/** A loopback proxy that counts API calls and the layer bytes they carry, and fails chosen calls. */
interface FaultingProxy {
    url: string;
    count(op: string): number;
    /** Fail calls of `op` for which `when(n)` holds (n counts that op's calls from 1) with a non-retryable 400. */
    failWhen(op: string | undefined, when?: (n: number) => boolean): void;
    reset(): void;
    stop(): Promise<void>;
}

async function startFaultingProxy(target: string): Promise<FaultingProxy> {
    const to = new URL(target);
    let counts: Record<string, number> = {};
    let fault: { op: string; when: (n: number) => boolean } | undefined;
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (b: Buffer) => chunks.push(b));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            const t = String(req.headers["x-amz-target"] ?? "");
            const op = t.slice(t.lastIndexOf(".") + 1);
            if (op) counts[op] = (counts[op] ?? 0) + 1;
            if (fault && op === fault.op && fault.when(counts[op])) {
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
                res.end(JSON.stringify({ __type: "InvalidLayerPartException", message: "injected by the test's proxy" }));
                return;
            }
            const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
                res.writeHead(r.statusCode ?? 502, r.headers);
                r.pipe(res);
            });
            up.on("error", () => res.destroy());
            up.end(body);
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        count: (op) => counts[op] ?? 0,
        failWhen: (op, when = () => true) => (fault = op ? { op, when } : undefined),
        reset: () => (counts = {}),
        stop: () =>
            new Promise<void>((r) => {
                server.close(() => r());
                server.closeAllConnections();
            }),
    };
}

function skopeo(args: string[]): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
        execFile("skopeo", args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        );
    });
}

describe("Image (integration, local endpoint, skopeo reads back)", function () {
    this.timeout(180_000);
    let ecr: LocalEcr;
    let proxy: FaultingProxy;
    let sdk: c.ECRClient;
    let restore: () => void;
    let password: string;
    let tmp: string;

    before(async () => {
        if (spawnSync("skopeo", ["--version"]).status !== 0) throw new Error("skopeo is not installed: run `make setup`");
        ecr = await startLocalEcr({ port: 0 });
        proxy = await startFaultingProxy(ecr.url);
        restore = useEndpoint(proxy.url);
        resetClients();
        sdk = new c.ECRClient({
            endpoint: ecr.url,
            region: "us-east-1",
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        const token = (await sdk.send(new c.GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
        password = Buffer.from(token, "base64").toString("utf8").slice("AWS:".length);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-it-"));
    });
    after(async () => {
        resetClients();
        restore?.();
        sdk?.destroy();
        await proxy?.stop();
        await ecr?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });
    beforeEach(() => {
        proxy.failWhen(undefined);
        proxy.reset();
    });

    async function repo(mutability: "MUTABLE" | "IMMUTABLE" = "MUTABLE"): Promise<string> {
        const name = randomName("img");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));
        return name;
    }

    /** check + create, as the engine runs them. */
    async function create(args: Record<string, unknown>): Promise<image.ImageOutputs> {
        const { inputs, failures } = await image.check({}, { region: "us-east-1", ...args });
        assert.deepEqual(failures, []);
        const out = await image.create(inputs as image.ImageInputs);
        assert.equal(out.id, `${args.repository}@${(inputs as image.ImageInputs).imageDigest}`);
        return out.outs as image.ImageOutputs;
    }

    async function update(olds: image.ImageOutputs, args: Record<string, unknown>): Promise<image.ImageOutputs> {
        const { inputs } = await image.check(olds, { region: "us-east-1", ...args });
        const d = await image.diff("", olds, inputs as image.ImageInputs);
        assert.deepEqual(d.replaces, []);
        return (await image.update("", olds, inputs as image.ImageInputs)).outs as image.ImageOutputs;
    }

    const tagsOf = async (repository: string, digest: string): Promise<string[] | undefined> => {
        try {
            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }));
            return [...(d.imageDetails?.[0]?.imageTags ?? [])].sort();
        } catch (e) {
            if ((e as Error).name === "ImageNotFoundException") return undefined;
            throw e;
        }
    };

    /** skopeo copies `repository@digest` out of the registry into an OCI layout; returns a reader of it. */
    async function pull(repository: string, digest: string, all = false) {
        const out = fs.mkdtempSync(path.join(tmp, "pull-"));
        const r = await skopeo([
            "copy",
            ...(all ? ["--all"] : []),
            "--preserve-digests",
            "--src-tls-verify=false",
            "--src-creds",
            `AWS:${password}`,
            `docker://${ecr.registryHost}/${repository}@${digest}`,
            `oci:${out}`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const index = JSON.parse(fs.readFileSync(path.join(out, "index.json"), "utf8"));
        return {
            digest: index.manifests[0].digest as string,
            blob: (d: string) => fs.readFileSync(path.join(out, "blobs", "sha256", d.slice(7))),
        };
    }

    it("pushes an OCI layout: the digest check() computed, the URI ECR reports, every blob byte for byte as skopeo reads it", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "one"), { layers: [6 * 1024 * 1024, 1000] });
        const outs = await create({ repository: name, source: l.dir, tags: ["1.0", "latest"] });
        assert.equal(outs.imageDigest, l.digest);
        assert.equal(outs.imageUri, `${ecr.registryHost}/${name}@${l.digest}`);
        const total = [...l.blobs.entries()].filter(([d]) => d !== l.digest).reduce((n, [, b]) => n + b.length, 0);
        assert.equal(outs.bytesUploaded, total);
        assert.equal(outs.layersUploaded, 3);
        assert.equal(proxy.count("UploadLayerPart"), 4, "the 6 MiB layer went in two parts of ECR's 5 MiB part size");
        assert.deepEqual(await tagsOf(name, l.digest), ["1.0", "latest"]);

        const p = await pull(name, l.digest);
        assert.equal(p.digest, l.digest);
        for (const [d, bytes] of l.blobs) assert.ok(p.blob(d).equals(bytes), `${d} is the same bytes`);
    });

    it("pushing the same image again uploads zero bytes, and re-putting a tag already there is success", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "again"));
        const first = await create({ repository: name, source: l.dir, tags: ["v1"] });
        assert.ok(first.bytesUploaded > 0);
        proxy.reset();
        const second = await create({ repository: name, source: l.dir, tags: ["v1"] });
        assert.equal(second.bytesUploaded, 0);
        assert.equal(second.layersUploaded, 0);
        assert.equal(second.layersSkipped, 3);
        assert.equal(proxy.count("InitiateLayerUpload"), 0);
        assert.equal(proxy.count("UploadLayerPart"), 0);
    });

    it("a multi-platform index: each platform's manifest by digest, then the index; skopeo --all reads it back", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "multi"), { platforms: ["linux/amd64", "linux/arm64"] });
        const outs = await create({ repository: name, source: l.dir, tags: ["multi"] });
        assert.equal(outs.imageDigest, l.digest);
        assert.deepEqual(
            outs.manifestDigests,
            l.images.map((i) => i.digest),
        );
        assert.deepEqual(await tagsOf(name, l.digest), ["multi"]);
        for (const img of l.images) assert.deepEqual(await tagsOf(name, img.digest), [], "platform manifests are untagged");
        const p = await pull(name, l.digest, true);
        assert.equal(p.digest, l.digest);
        for (const [d, bytes] of l.blobs) assert.ok(p.blob(d).equals(bytes), `${d} is the same bytes`);
    });

    it("platforms narrows an index: the new index's digest is the one check() showed, and only that platform's blobs move", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "narrow"), { platforms: ["linux/amd64", "linux/arm64"] });
        const { inputs } = await image.check({}, { region: "us-east-1", repository: name, source: l.dir, platforms: ["linux/arm64"] });
        const outs = await create({ repository: name, source: l.dir, platforms: ["linux/arm64"], tags: ["arm"] });
        assert.equal(outs.imageDigest, (inputs as image.ImageInputs).imageDigest);
        assert.notEqual(outs.imageDigest, l.digest);
        assert.deepEqual(outs.manifestDigests, [l.images[1].digest]);
        const layers = await sdk.send(
            new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: l.images[0].layerDigests }),
        );
        assert.equal(layers.layers?.length ?? 0, 0, "no amd64 layer was pushed");
        const p = await pull(name, outs.imageDigest, true);
        assert.equal(p.digest, outs.imageDigest);
    });

    it("an OCI archive and a legacy docker save tarball push with the digests check() computed; layers read back byte for byte", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "arch"));
        makeOciArchive(l.dir, path.join(tmp, "arch.tar"));
        const a = await create({ repository: name, source: path.join(tmp, "arch.tar"), tags: ["oci"] });
        assert.equal(a.imageDigest, l.digest);
        assert.equal(a.layersSkipped, 0);

        const d = makeDockerArchive(path.join(tmp, "docker.tar"), { repoTags: ["app:1.0"], repeatFirstLayer: true });
        const b = await create({ repository: name, source: d.file, sourceRef: "app:1.0", tags: ["docker"] });
        assert.equal(b.imageManifestMediaType, "application/vnd.docker.distribution.manifest.v2+json");
        const p = await pull(name, b.imageDigest);
        assert.equal(p.digest, b.imageDigest);
        assert.ok(p.blob(d.configDigest).equals(d.config));
        for (const [i, layer] of d.layers.entries()) assert.ok(p.blob(d.layerDigests[i]).equals(layer));
    });

    it("tags update in place (PutImage for new ones, BatchDeleteImage for dropped ones); no tags leaves the image untagged", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "tags"));
        let outs = await create({ repository: name, source: l.dir, tags: ["a", "b"] });
        outs = await update(outs, { repository: name, source: l.dir, tags: ["b", "c"] });
        assert.deepEqual(outs.tags, ["b", "c"]);
        assert.deepEqual(await tagsOf(name, l.digest), ["b", "c"]);
        outs = await update(outs, { repository: name, source: l.dir, tags: [] });
        assert.deepEqual(await tagsOf(name, l.digest), [], "the image stays, untagged");
        assert.equal(outs.bytesUploaded, 0);
    });

    it("a changed source replaces; a changed tag list alone does not", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "diff1"));
        const m = makeOciLayout(path.join(tmp, "diff2"));
        const outs = await create({ repository: name, source: l.dir, tags: ["x"] });
        const changed = await image.check(outs, { region: "us-east-1", repository: name, source: m.dir, tags: ["x"] });
        assert.deepEqual((await image.diff("", outs, changed.inputs as image.ImageInputs)).replaces, ["imageDigest"]);
        const retag = await image.check(outs, { region: "us-east-1", repository: name, source: l.dir, tags: ["y"] });
        const d = await image.diff("", outs, retag.inputs as image.ImageInputs);
        assert.deepEqual([d.changes, d.replaces], [true, []]);
        const same = await image.check(outs, { region: "us-east-1", repository: name, source: l.dir, tags: ["x"] });
        assert.equal((await image.diff("", outs, same.inputs as image.ImageInputs)).changes, false);
    });

    it("refresh sees a tag moved or deleted out of band, and the image gone with its last tag", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "oob1"));
        const m = makeOciLayout(path.join(tmp, "oob2"));
        const outs = await create({ repository: name, source: l.dir, tags: ["keep", "moved", "dropped"] });
        await create({ repository: name, source: m.dir, tags: ["moved"] }); // moves the tag to another image
        await sdk.send(new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "dropped" }] }));
        const r = await image.read(`${name}@${l.digest}`, outs);
        assert.equal(r.id, `${name}@${l.digest}`);
        assert.deepEqual(r.props!.tags, ["keep"]);
        await sdk.send(new c.BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "keep" }] }));
        assert.equal((await image.read(`${name}@${l.digest}`, outs)).id, "", "gone with its last tag");
    });

    it("delete removes its tags and the image; leaves an image another tag holds; keepOnDelete leaves everything", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "del"), { platforms: ["linux/amd64", "linux/arm64"] });
        const outs = await create({ repository: name, source: l.dir, tags: ["t1", "t2"] });
        await image.delete(outs.imageDigest, outs);
        assert.equal(await tagsOf(name, l.digest), undefined, "the index is gone");
        for (const img of l.images) assert.equal(await tagsOf(name, img.digest), undefined, "and its platform manifests");

        const m = makeOciLayout(path.join(tmp, "del2"));
        const mine = await create({ repository: name, source: m.dir, tags: ["mine"] });
        const stored = await sdk.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "mine" }] }));
        await sdk.send(
            new c.PutImageCommand({ repositoryName: name, imageManifest: stored.images![0].imageManifest, imageTag: "someone-elses" }),
        );
        await image.delete("", mine);
        assert.deepEqual(await tagsOf(name, m.digest), ["someone-elses"], "only the resource's tag went");

        const n = makeOciLayout(path.join(tmp, "del3"));
        const kept = await create({ repository: name, source: n.dir, tags: ["kept"], keepOnDelete: true });
        await image.delete("", kept);
        assert.deepEqual(await tagsOf(name, n.digest), ["kept"]);
    });

    it("an IMMUTABLE repository: the same tag on the same image is success; on another image it fails, naming tag, repository and fix", async () => {
        const name = await repo("IMMUTABLE");
        const l = makeOciLayout(path.join(tmp, "imm1"));
        const m = makeOciLayout(path.join(tmp, "imm2"));
        await create({ repository: name, source: l.dir, tags: ["v1"] });
        await create({ repository: name, source: l.dir, tags: ["v1"] });
        const { inputs } = await image.check({}, { region: "us-east-1", repository: name, source: m.dir, tags: ["v1"] });
        await assert.rejects(image.create(inputs as image.ImageInputs), (e: Error) => {
            assert.match(e.message, new RegExp(`^putting ECR Image \\(${name}:v1\\): ImageTagAlreadyExistsException`));
            assert.match(
                e.message,
                new RegExp(`Hint: tag "v1" already points at another image in repository "${name}".*imageTagMutability`),
            );
            return true;
        });
    });

    it("an interrupted push leaves no tag; the next create finishes it and reuses the layers already uploaded", async () => {
        const name = await repo();
        const l = makeOciLayout(path.join(tmp, "int"), { layers: [11 * 1024 * 1024, 2000, 3000] });
        const { inputs } = await image.check({}, { region: "us-east-1", repository: name, source: l.dir, tags: ["v1"] });
        proxy.failWhen("UploadLayerPart", (n) => n >= 3); // the big layer's second part (small ones go first or alongside)
        await assert.rejects(
            image.create(inputs as image.ImageInputs),
            /uploading layer sha256:[0-9a-f]+ to ECR Repository .*InvalidLayerPartException/,
        );
        const listed = await sdk.send(new c.ListImagesCommand({ repositoryName: name }));
        assert.deepEqual(listed.imageIds ?? [], [], "no image, no tag");
        proxy.failWhen(undefined);
        proxy.reset();
        const outs = (await image.create(inputs as image.ImageInputs)).outs as image.ImageOutputs;
        assert.ok(outs.layersSkipped >= 1, `reused ${outs.layersSkipped} uploaded blobs`);
        assert.ok(outs.bytesUploaded < [...l.blobs.values()].reduce((n, b) => n + b.length, 0));
        assert.deepEqual(await tagsOf(name, l.digest), ["v1"]);
        assert.equal(sha256(l.manifest), outs.imageDigest);
    });

    it("create fails clearly when the repository does not exist", async () => {
        const l = makeOciLayout(path.join(tmp, "norepo"));
        const { inputs } = await image.check({}, { region: "us-east-1", repository: "does-not-exist", source: l.dir });
        await assert.rejects(
            image.create(inputs as image.ImageInputs),
            /creating ECR Image \(does-not-exist@sha256:.*Hint: create the repository first/,
        );
    });

    it("progress is throttled: a report per 10% or 2 s, then one summary", () => {
        const lines: [string, boolean][] = [];
        const report = progressReporter("app@abc", undefined, (m, e) => lines.push([m, e]));
        for (let i = 0; i <= 100; i++)
            report({ bytesUploaded: i * 1e6, bytesTotal: 100e6, layersUploaded: Math.floor(i / 25), layersTotal: 4, layersSkipped: 1 });
        report(undefined);
        assert.ok(lines.length >= 10 && lines.length <= 13, `${lines.length} lines`);
        assert.match(lines[lines.length - 1][0], /^pushed app@abc: 100\.0 MB in 4 layers, 1 already in ECR/);
        assert.equal(lines[lines.length - 1][1], false, "the summary stays");
        assert.ok(
            lines.slice(0, -1).every(([, e]) => e),
            "progress lines are ephemeral",
        );
    });
});

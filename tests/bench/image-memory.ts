/**
 * Memory of an Image push: a 1 GiB layer (written to disk in chunks, never held in memory) goes
 * through the provider's check() and create() in a child process of its own that loads the built
 * provider as the dynamic-provider host does; its peak resident set size is printed. Goal: under
 * 256 MiB, independent of layer size. The local endpoint runs in this process with its state on
 * disk, so its memory is not counted.
 *
 *   make build && node -r ts-node/register/transpile-only tests/bench/image-memory.ts [sizeMiB]
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { startLocalEcr } from "../../local";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const sizeMiB = Number(process.argv[2] ?? 1024);

/** Writes an OCI layout with one layer of `size` bytes, streamed in 4 MiB chunks (pseudo-random, so nothing compresses it away). */
function writeBigLayout(dir: string, size: number): string {
    const blobs = path.join(dir, "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    const tmpFile = path.join(blobs, "layer.partial");
    const fd = fs.openSync(tmpFile, "w");
    const h = crypto.createHash("sha256");
    const chunk = crypto.randomBytes(4 * 1024 * 1024);
    for (let written = 0, i = 0; written < size; i++) {
        chunk.writeUInt32BE(i, 0); // every chunk differs
        const part = chunk.subarray(0, Math.min(chunk.length, size - written));
        fs.writeSync(fd, part);
        h.update(part);
        written += part.length;
    }
    fs.closeSync(fd);
    const layerDigest = "sha256:" + h.digest("hex");
    fs.renameSync(tmpFile, path.join(blobs, layerDigest.slice(7)));
    const put = (b: Buffer) => {
        const d = "sha256:" + crypto.createHash("sha256").update(b).digest("hex");
        fs.writeFileSync(path.join(blobs, d.slice(7)), b);
        return d;
    };
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layerDigest] } }));
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: put(config), size: config.length },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size }],
        }),
    );
    const digest = put(manifest);
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fs.writeFileSync(
        path.join(dir, "index.json"),
        JSON.stringify({
            schemaVersion: 2,
            manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: manifest.length }],
        }),
    );
    return digest;
}

/** The child: the built provider's check() then create(), as the dynamic-provider host calls them. */
const CHILD = `
const image = require(${JSON.stringify(path.join(REPO_ROOT, "node_modules", "pulumi-ecr", "dist", "provider", "images", "image.js"))});
(async () => {
    const [source, repository] = process.argv.slice(1);
    const t0 = Date.now();
    const { inputs, failures } = await image.check({}, { repository, source, tags: ["big"], region: "us-east-1" });
    if (failures.length) throw new Error(JSON.stringify(failures));
    const t1 = Date.now();
    const { outs } = await image.create(inputs);
    const t2 = Date.now();
    console.log(JSON.stringify({ checkMs: t1 - t0, createMs: t2 - t1, bytesUploaded: outs.bytesUploaded, maxRssKiB: process.resourceUsage().maxRSS }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function main() {
    const built = path.join(REPO_ROOT, "node_modules", "pulumi-ecr", "dist", "provider", "images", "image.js");
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`make build\` first`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-memory-"));
    const ecr = await startLocalEcr({ port: 0, dataDir: path.join(tmp, "ecr-data") });
    try {
        const t = Date.now();
        const digest = writeBigLayout(path.join(tmp, "oci"), sizeMiB * 1024 * 1024);
        console.log(`wrote a ${sizeMiB} MiB layer in ${((Date.now() - t) / 1000).toFixed(1)} s; image ${digest}`);
        const sdk = new ECRClient({
            endpoint: ecr.url,
            region: "us-east-1",
            credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
        });
        await sdk.send(new CreateRepositoryCommand({ repositoryName: "bench-memory" }));
        sdk.destroy();
        const env = {
            ...process.env,
            AWS_ENDPOINT_URL_ECR: ecr.url,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "bench",
            AWS_SECRET_ACCESS_KEY: "bench",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        };
        const args = ["-e", CHILD, path.join(tmp, "oci"), "bench-memory"];
        // The endpoint lives in this process, so the child must run while this event loop serves it: spawn, not spawnSync.
        const hasTime = fs.existsSync("/usr/bin/time");
        const child = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
            const p = hasTime ? spawn("/usr/bin/time", ["-v", process.execPath, ...args], { env }) : spawn(process.execPath, args, { env });
            let stdout = "";
            let stderr = "";
            p.stdout.on("data", (b) => (stdout += b));
            p.stderr.on("data", (b) => (stderr += b));
            p.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        });
        if (child.code !== 0) throw new Error(`child failed: ${child.stderr}`);
        const r = JSON.parse(child.stdout.trim().split("\n").pop()!);
        const timeRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1];
        const mbps = (r.bytesUploaded / 1e6 / (r.createMs / 1000)).toFixed(1);
        console.log(`check(): ${(r.checkMs / 1000).toFixed(1)} s (reads and hashes the layer)`);
        console.log(
            `create(): ${(r.bytesUploaded / 1048576).toFixed(0)} MiB uploaded in ${(r.createMs / 1000).toFixed(1)} s = ${mbps} MB/s (endpoint state on disk, fsync per part)`,
        );
        console.log(
            `provider process max RSS: ${(r.maxRssKiB / 1024).toFixed(0)} MiB (process.resourceUsage)` +
                (timeRss ? `, ${(Number(timeRss) / 1024).toFixed(0)} MiB (/usr/bin/time -v)` : ""),
        );
        console.log(r.maxRssKiB / 1024 < 256 ? "goal met: < 256 MiB" : "GOAL MISSED: >= 256 MiB");
    } finally {
        await ecr.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});

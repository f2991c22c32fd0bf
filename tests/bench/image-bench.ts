/**
 * Image push figures (a benchmark that prints, no pass/fail), all on loopback in one run:
 *
 *   (a) `Image` push: the provider's check() + create() called in this process (not through the
 *       engine), against `ecr-local` running as its own process, through the ECR JSON API;
 *   (b) the raw loopback ceiling: the same blob bytes streamed by plain HTTP PUT to a sink server
 *       on 127.0.0.1 that discards them, with the same number of streams in flight;
 *   (c) `skopeo copy oci:<layout> docker://<endpoint>/<repo>:tag` into the endpoint's /v2/ registry;
 *   (d) a re-push of the same image: bytes uploaded and time.
 *
 * Then where the API route's time goes: CPU seconds of this process (the client: reading,
 * base64, JSON, SigV4, HTTP) and of the endpoint process (JSON parse, base64 decode, sha256,
 * storing) during (a), and the single-core cost of each step measured on its own.
 *
 *   make bench-images            # or: node -r ts-node/register/transpile-only tests/bench/image-bench.ts [--mb 200] [--layers 5]
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { makeOciLayout } from "../helpers/ociLayout";

const ROOT = path.resolve(__dirname, "..", "..");

function flag(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_IMAGE_${name.toUpperCase()}`] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
}

const TOTAL_MB = flag("mb", 200);
const LAYERS = Math.floor(flag("layers", 5));
/** pushBlobs' default: blobs uploaded at once. The sink gets as many streams. */
const STREAMS = 4;
const MB = 1e6;

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return ticks / 100; // USER_HZ is 100 on Linux
}

const selfCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
};

/** Starts `ecr-local` as its own process (the built CLI), so its CPU is measured apart from ours. */
async function startEndpoint(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
    const cli = path.join(ROOT, "dist", "local", "cli.js");
    if (!fs.existsSync(cli)) throw new Error("run `make build` first (dist/local/cli.js is missing)");
    const child: ChildProcess = spawn(process.execPath, [cli, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
        const deadline = Date.now() + 30_000;
        const poll = setInterval(() => {
            const m = /^READY (\S+)$/m.exec(out);
            if (m) {
                clearInterval(poll);
                resolve(m[1]);
            } else if (Date.now() > deadline || child.exitCode !== null) {
                clearInterval(poll);
                reject(new Error(`ecr-local did not start:\n${out}`));
            }
        }, 20);
    });
    return {
        url,
        pid: child.pid!,
        stop: () =>
            new Promise((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

/** A sink on 127.0.0.1 that reads and discards request bodies. */
async function startSink(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
    // In its own process, like the endpoint, so both routes pay for a server on the other side.
    const code = `
        const http = require("node:http");
        const s = http.createServer((req, res) => { req.on("data", () => {}); req.on("end", () => res.end("ok")); });
        s.listen(0, "127.0.0.1", () => console.log("READY " + s.address().port));`;
    const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d.toString();
            const m = /READY (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.once("exit", () => reject(new Error("sink exited")));
    });
    return {
        port,
        pid: child.pid!,
        stop: () =>
            new Promise((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

/** PUTs one file to the sink, streamed from disk. */
function putFile(port: number, file: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const size = fs.statSync(file).size;
        const req = http.request({ host: "127.0.0.1", port, method: "PUT", path: "/", headers: { "content-length": size } }, (res) => {
            res.resume();
            res.on("end", () => resolve());
        });
        req.on("error", reject);
        fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
    });
}

/** Runs `jobs` with at most `n` at once. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(n, jobs.length) }, async () => {
            while (next < jobs.length) await jobs[next++]();
        }),
    );
}

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
        execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (err, _stdout, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: String(stderr) });
        });
    });
}

/** Seconds one core spends on `fn(bytes)` over all of `parts`, best of 2. */
function cost(parts: Buffer[], fn: (b: Buffer) => unknown): number {
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
        const t = process.hrtime.bigint();
        for (const p of parts) fn(p);
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    return best;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

async function main(): Promise<void> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-bench-"));
    const endpoint = await startEndpoint();
    const sink = await startSink();
    try {
        // ---- the image: random (incompressible) layers, about TOTAL_MB in all ----
        const layerBytes = Math.floor((TOTAL_MB * MB) / LAYERS);
        const layout = makeOciLayout(path.join(tmp, "oci"), { layers: Array.from({ length: LAYERS }, () => layerBytes) });
        const blobs = layout.images[0].layerDigests.concat(layout.images[0].configDigest);
        const files = blobs.map((d) => layout.blobPath(d));
        const totalBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
        layout.blobs.clear(); // the provider reads from disk; free what the generator held
        console.log(`image: ${LAYERS} layers + config, ${fmt(totalBytes / MB)} MB of random bytes, OCI layout in ${layout.dir}`);
        console.log(
            `machine: ${os.cpus().length} cores (shared), Node ${process.version}; endpoint ${endpoint.url} (ecr-local, its own process)\n`,
        );

        process.env.AWS_ENDPOINT_URL_ECR = endpoint.url;
        process.env.AWS_REGION = "us-east-1";
        process.env.AWS_ACCESS_KEY_ID = "testing";
        process.env.AWS_SECRET_ACCESS_KEY = "testing";
        const sdk = new c.ECRClient({
            endpoint: endpoint.url,
            region: "us-east-1",
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        // Loaded after the environment is set: the provider builds its client from it.
        const image = await import("../../provider/images/image");
        const { resetClients } = await import("../../provider/client");
        resetClients();

        const push = async (repository: string) => {
            const { inputs, failures } = await image.check({}, { repository, source: layout.dir, tags: ["v1"], region: "us-east-1" });
            if (failures?.length) throw new Error(JSON.stringify(failures));
            const cpu0 = selfCpu();
            const srv0 = cpuSecondsOf(endpoint.pid);
            const t0 = Date.now();
            const { outs } = await image.create(inputs as any);
            const secs = (Date.now() - t0) / 1000;
            return { secs, bytes: outs.bytesUploaded as number, clientCpu: selfCpu() - cpu0, serverCpu: cpuSecondsOf(endpoint.pid) - srv0 };
        };

        // ---- (a) Image push through the ECR API ----
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: "bench/image" }));
        const a = await push("bench/image");

        // ---- (b) loopback ceiling ----
        const sink0 = cpuSecondsOf(sink.pid);
        const tb = Date.now();
        await pool(
            files.map((f) => () => putFile(sink.port, f)),
            STREAMS,
        );
        const bSecs = (Date.now() - tb) / 1000;
        const sinkCpu = cpuSecondsOf(sink.pid) - sink0;

        // ---- (c) skopeo copy into the /v2/ registry ----
        let skopeo: { secs: number; ok: boolean; why?: string } = { secs: NaN, ok: false };
        {
            await sdk.send(new c.CreateRepositoryCommand({ repositoryName: "bench/skopeo" }));
            const token = await sdk.send(new c.GetAuthorizationTokenCommand({}));
            const password = Buffer.from(token.authorizationData![0].authorizationToken!, "base64").toString().split(":")[1];
            const host = new URL(endpoint.url).host;
            const ts = Date.now();
            const r = await run("skopeo", [
                "copy",
                "--quiet",
                "--dest-tls-verify=false",
                "--dest-creds",
                `AWS:${password}`,
                `oci:${layout.dir}:latest`,
                `docker://${host}/bench/skopeo:v1`,
            ]);
            skopeo = {
                secs: (Date.now() - ts) / 1000,
                ok: r.code === 0,
                why: r.code === 0 ? undefined : r.stderr.trim().split("\n").pop(),
            };
        }

        // ---- (d) re-push of the same image ----
        const d = await push("bench/image");

        // ---- where the API route's time goes: each step's single-core cost over the same bytes ----
        const partSize = 5 * 1024 * 1024; // what ecr-local (and ECR) ask for in InitiateLayerUpload
        const sample = fs.readFileSync(files[0]).subarray(0, Math.min(50 * partSize, layerBytes));
        const parts: Buffer[] = [];
        for (let i = 0; i + partSize <= sample.length; i += partSize) parts.push(sample.subarray(i, i + partSize));
        const sampleBytes = parts.length * partSize;
        const scale = totalBytes / sampleBytes;
        const b64 = cost(parts, (p) => p.toString("base64")) * scale;
        const bodies = parts.map((p) =>
            JSON.stringify({
                repositoryName: "bench/image",
                uploadId: "x",
                partFirstByte: 0,
                partLastByte: 1,
                layerPartBlob: p.toString("base64"),
            }),
        );
        const json =
            cost(
                bodies.map((s) => Buffer.from(s)),
                (b) => JSON.parse(b.toString("utf8")),
            ) * scale;
        const unb64 =
            cost(
                parts.map((p) => Buffer.from(p.toString("base64"))),
                (b) => Buffer.from(b.toString("latin1"), "base64"),
            ) * scale;
        const hash = cost(parts, (p) => crypto.createHash("sha256").update(p).digest()) * scale;

        // ---- report ----
        const mbps = (bytes: number, secs: number) => (bytes / MB / secs).toFixed(1);
        const rows: [string, string, string, string][] = [
            [
                "(a) Image push, ECR JSON API (provider create, in-process)",
                `${fmt(a.bytes / MB)} MB`,
                `${fmt(a.secs, 2)} s`,
                `${mbps(a.bytes, a.secs)} MB/s`,
            ],
            [
                `(b) loopback ceiling: HTTP PUT to a sink, ${STREAMS} streams`,
                `${fmt(totalBytes / MB)} MB`,
                `${fmt(bSecs, 2)} s`,
                `${mbps(totalBytes, bSecs)} MB/s`,
            ],
            [
                "(c) skopeo copy oci: -> docker:// (/v2/ registry)",
                `${fmt(totalBytes / MB)} MB`,
                skopeo.ok ? `${fmt(skopeo.secs, 2)} s` : "failed",
                skopeo.ok ? `${mbps(totalBytes, skopeo.secs)} MB/s` : (skopeo.why ?? ""),
            ],
            [
                "(d) re-push of the same image (Image create)",
                `${fmt(d.bytes / MB)} MB`,
                `${fmt(d.secs, 2)} s`,
                d.bytes === 0 ? "nothing uploaded" : `${mbps(d.bytes, d.secs)} MB/s`,
            ],
        ];
        const w = [Math.max(...rows.map((r) => r[0].length)), 9, 8, 16];
        const line = (r: string[]) => r.map((x, i) => x.padEnd(w[i])).join("  ");
        console.log(line(["route", "bytes", "time", "throughput"]));
        console.log(w.map((n) => "-".repeat(n)).join("  "));
        for (const r of rows) console.log(line(r));
        console.log();
        const ceiling = totalBytes / bSecs;
        console.log(
            `Image vs loopback ceiling: ${fmt((100 * a.bytes) / a.secs / ceiling, 0)}%` +
                (skopeo.ok ? `; Image vs skopeo: ${fmt(a.bytes / a.secs / (totalBytes / skopeo.secs), 2)}x` : ""),
        );
        console.log();
        console.log(`where (a)'s time goes (CPU seconds during the push; wall ${fmt(a.secs, 2)} s on ${os.cpus().length} shared cores):`);
        console.log(`  client (this process: read, base64, JSON, SigV4, HTTP)   ${fmt(a.clientCpu, 2)} s`);
        console.log(`  ecr-local (JSON parse, base64 decode, sha256, store)     ${fmt(a.serverCpu, 2)} s`);
        console.log(`  sink during (b), for comparison                          ${fmt(sinkCpu, 2)} s`);
        console.log(`single-core cost of each step, timed on one layer and scaled to ${fmt(totalBytes / MB)} MB in 5 MiB parts:`);
        console.log(`  base64 encode (client)      ${fmt(b64, 2)} s   (${mbps(totalBytes, b64)} MB/s)`);
        console.log(`  JSON.parse of the bodies    ${fmt(json, 2)} s   (${mbps(totalBytes, json)} MB/s)`);
        console.log(`  base64 decode (server)      ${fmt(unb64, 2)} s   (${mbps(totalBytes, unb64)} MB/s)`);
        console.log(`  sha256 (server digest)      ${fmt(hash, 2)} s   (${mbps(totalBytes, hash)} MB/s)`);
        console.log(
            `  bytes on the wire (computed, 4/3 of the layer bytes): ${fmt((totalBytes * 4) / 3 / MB)} MB of base64 for ${fmt(totalBytes / MB)} MB of layer`,
        );
        sdk.destroy();
        resetClients();
    } finally {
        await endpoint.stop();
        await sink.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});

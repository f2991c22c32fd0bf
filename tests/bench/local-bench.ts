/**
 * Benchmark of the local ECR endpoint next to moto, on the same machine in the same run:
 * requests per second for CreateRepository, DescribeImages and PutImage, and layer upload MB/s
 * (InitiateLayerUpload / UploadLayerPart in 5 MiB parts / CompleteLayerUpload). The local
 * endpoint runs as its own process (`ecr-local`), in memory and with `--data`, like moto runs in
 * its own; all traffic stays on loopback and every loop is bounded.
 *
 *   node -r ts-node/register/transpile-only tests/bench/local-bench.ts [--n 300] [--concurrency 8] [--upload-mib 40]
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { MiB, client, configBlob, ociManifest, randomLayer, seededLayer, uploadLayer } from "../conformance/fixtures";
import { startMoto } from "../helpers/moto";

const ROOT = path.resolve(__dirname, "..", "..");

function flag(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase().replace(/-/g, "_")}`] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
}

const N = flag("n", 300);
const CONCURRENCY = flag("concurrency", 8);
const UPLOAD_MIB = flag("upload-mib", 40);
const TIME_CAP_MS = 60_000;

interface Target {
    label: string;
    url: string;
    layerApi: boolean;
    stop(): Promise<void>;
}

/** Starts `ecr-local` as a separate process: the built CLI when there is one, else from source. */
async function startLocalProcess(label: string, args: string[]): Promise<Target> {
    const built = path.join(ROOT, "dist", "local", "cli.js");
    const argv = fs.existsSync(built) ? [built] : ["-r", "ts-node/register/transpile-only", path.join(ROOT, "local", "cli.ts")];
    const child: ChildProcess = spawn(process.execPath, [...argv, "--port", "0", ...args], {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        stdio: ["ignore", "pipe", "inherit"],
    });
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
        label,
        url,
        layerApi: true,
        stop: () =>
            new Promise((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

/** Runs `count` calls with `CONCURRENCY` in flight; returns calls per second. */
async function rate(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
    let next = 0;
    const started = Date.now();
    const worker = async () => {
        while (next < count && Date.now() - started < TIME_CAP_MS) {
            await call(next++);
        }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return next / ((Date.now() - started) / 1000);
}

interface Result {
    createRepository: number;
    describeImages: number;
    putImage: number;
    uploadMBps?: number;
}

async function bench(t: Target): Promise<Result> {
    const ecr = client(t.url, "us-east-1", 1);
    const run = `bench-${Date.now().toString(36)}`;
    try {
        const createRepository = await rate(N, (i) => ecr.send(new c.CreateRepositoryCommand({ repositoryName: `${run}/create-${i}` })));

        const repo = `${run}/images`;
        await ecr.send(new c.CreateRepositoryCommand({ repositoryName: repo }));
        const config = configBlob("bench");
        const layer = seededLayer("bench", 4096);
        if (t.layerApi) for (const b of [config, layer]) await uploadLayer(ecr, repo, b);
        // Distinct manifests (an annotation differs) over the same blobs: every PutImage stores a new image.
        const manifest = (i: number) => {
            const m = JSON.parse(ociManifest(config, [layer]).text) as Record<string, unknown>;
            m.annotations = { "bench.index": String(i) };
            return JSON.stringify(m);
        };
        const putImage = await rate(N, (i) =>
            ecr.send(new c.PutImageCommand({ repositoryName: repo, imageManifest: manifest(i), imageTag: `t${i}` })),
        );

        const describeImages = await rate(N, () => ecr.send(new c.DescribeImagesCommand({ repositoryName: repo, maxResults: 100 })));

        let uploadMBps: number | undefined;
        if (t.layerApi) {
            const blob = randomLayer(UPLOAD_MIB * MiB);
            const started = Date.now();
            await uploadLayer(ecr, repo, blob, 5 * MiB);
            uploadMBps = blob.size / MiB / ((Date.now() - started) / 1000);
        }
        return { createRepository, describeImages, putImage, uploadMBps };
    } finally {
        ecr.destroy();
    }
}

function fmt(n: number | undefined, unit: string): string {
    return n === undefined ? "n/a" : `${n.toFixed(n < 100 ? 1 : 0)} ${unit}`;
}

async function main(): Promise<void> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-bench-"));
    const results: { label: string; r: Result }[] = [];
    try {
        for (const make of [
            () => startLocalProcess("ecr-local (memory)", []),
            () => startLocalProcess("ecr-local (--data)", ["--data", dataDir]),
            async (): Promise<Target> => {
                const m = await startMoto();
                return { label: "moto", url: m.url, layerApi: false, stop: () => m.stop() };
            },
        ]) {
            const t = await make();
            try {
                process.stderr.write(`benchmarking ${t.label} ...\n`);
                results.push({ label: t.label, r: await bench(t) });
            } finally {
                await t.stop();
            }
        }
    } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
    }

    const moto = results.find((x) => x.label === "moto")!.r;
    const rows: [string, keyof Result, string][] = [
        ["CreateRepository", "createRepository", "req/s"],
        ["DescribeImages", "describeImages", "req/s"],
        ["PutImage", "putImage", "req/s"],
        ["layer upload (5 MiB parts)", "uploadMBps", "MB/s"],
    ];
    const header = ["operation", ...results.map((x) => x.label), "memory/moto"];
    const table = rows.map(([name, key, unit]) => {
        const local = results[0].r[key];
        const ratio = local !== undefined && moto[key] !== undefined ? `${(local / moto[key]!).toFixed(1)}x` : "n/a";
        return [name, ...results.map((x) => fmt(x.r[key], unit)), ratio];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
    console.log(
        `\nECR endpoint benchmark: ${N} calls per operation, ${CONCURRENCY} in flight, ${UPLOAD_MIB} MiB upload; node ${process.version}, ${os.cpus().length} CPUs`,
    );
    console.log(line(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of table) console.log(line(row));
    console.log("moto has no layer operations (InitiateLayerUpload etc. answer HTTP 500), so it has no upload figure.");
    console.log(`DescribeImages asks for maxResults 100 of ${N} images; moto ignores maxResults and returns all of them.`);
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(
        path.join(ROOT, ".bench", "local-bench.json"),
        JSON.stringify({ n: N, concurrency: CONCURRENCY, uploadMiB: UPLOAD_MIB, results }, null, 2),
    );
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});

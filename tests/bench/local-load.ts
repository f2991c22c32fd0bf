/**
 * The local endpoint under sustained load: `ecr-local --data <dir>` as its own process, N clients
 * in flight for a duration, each running a mix of layer uploads (Initiate / UploadLayerPart /
 * Complete), PutImage, DescribeImages, BatchGetImage, BatchCheckLayerAvailability,
 * Create/DeleteRepository, DescribeRepositories, repository and lifecycle policies and tags. Prints
 * req/s and p50/p99 latency per operation, the errors, the server's RSS over the run
 * (first/peak/last) and its heap after a full GC at the start and at the end; then kills the
 * process with SIGKILL, restarts it on the same directory and checks that every acknowledged write
 * is there. Exits 1 on any error or lost write. A benchmark, not a test: it asserts no speed.
 *
 *   node -r ts-node/register/transpile-only tests/bench/local-load.ts [--clients 64] [--seconds 60]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { quantile, runLoad, startEndpointProcess, verifyModel } from "../helpers/load";

const ROOT = path.resolve(__dirname, "..", "..");

function flag(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
}

const CLIENTS = flag("clients", 64);
const SECONDS = flag("seconds", 60);
const MiB = 1024 * 1024;
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

async function main(): Promise<void> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-load-"));
    let failed: boolean;
    try {
        const ep = await startEndpointProcess(dataDir);
        const heapStart = await ep.heapAfterGc();
        const rss: number[] = [ep.rss()];
        process.stderr.write(`load: ${CLIENTS} clients for ${SECONDS}s against ${ep.url} (--data ${dataDir}) ...\n`);
        // Heap after a full GC every 15 s: live data only, so a leak shows as a rising series.
        const heapSeries: number[] = [heapStart];
        const heapTimer = setInterval(() => void ep.heapAfterGc().then((n) => heapSeries.push(n)), 15_000);
        const result = await runLoad({
            url: ep.url,
            clients: CLIENTS,
            durationMs: SECONDS * 1000,
            prefix: `load-${Date.now().toString(36)}`,
            onTick: () => rss.push(ep.rss()),
        });
        clearInterval(heapTimer);
        rss.push(ep.rss());
        const heapEnd = await ep.heapAfterGc();
        heapSeries.push(heapEnd);
        const rssAfterGc = ep.rss();

        // Lost writes: kill -9 mid-life, restart on the same directory, compare with every acknowledged write.
        await ep.kill9();
        const again = await startEndpointProcess(dataDir);
        const lost = await verifyModel(again.url, result.model);
        await again.stop();

        const ops = [...result.latencies.keys()].sort();
        const calls = ops.reduce((n, op) => n + result.latencies.get(op)!.length, 0);
        const seconds = result.elapsedMs / 1000;
        const rows = ops.map((op) => {
            const l = result.latencies.get(op)!;
            const errs = result.errors.filter((e) => e.op === op).length;
            return [
                op,
                String(l.length),
                (l.length / seconds).toFixed(1),
                quantile(l, 0.5).toFixed(1),
                quantile(l, 0.99).toFixed(1),
                String(errs),
            ];
        });
        rows.push(["all", String(calls), (calls / seconds).toFixed(1), "", "", String(result.errors.length)]);
        const header = ["operation", "calls", "req/s", "p50 ms", "p99 ms", "errors"];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
        const writes = [...result.writes.values()].reduce((a, b) => a + b, 0);
        const peak = Math.max(...rss);

        console.log(
            `\necr-local --data under load: ${CLIENTS} clients, ${seconds.toFixed(1)} s, no retries; node ${process.version}, ${os.cpus().length} CPUs`,
        );
        console.log(line(header));
        console.log(widths.map((w) => "-".repeat(w)).join("  "));
        for (const r of rows) console.log(line(r));
        console.log(`server RSS: first ${mib(rss[0])}, peak ${mib(peak)}, last ${mib(rss[rss.length - 1])} (after GC ${mib(rssAfterGc)})`);
        console.log(`server heap after full GC, every 15 s: ${heapSeries.map(mib).join(" → ")}`);
        console.log(
            `state at the end: ${result.model.live.size} repositories live, ${result.model.deleted.size} deleted; ${writes} acknowledged writes`,
        );
        console.log(`after kill -9 and restart on the same --data: ${lost.length} lost or wrong (of ${writes} acknowledged writes)`);
        for (const e of result.errors.slice(0, 10)) console.log(`  error: ${e.op}: ${e.message}`);
        for (const p of lost.slice(0, 10)) console.log(`  lost: ${p}`);
        failed = result.errors.length > 0 || lost.length > 0;

        fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
        fs.writeFileSync(
            path.join(ROOT, ".bench", "local-load.json"),
            JSON.stringify(
                {
                    clients: CLIENTS,
                    seconds,
                    operations: Object.fromEntries(
                        ops.map((op) => {
                            const l = result.latencies.get(op)!;
                            return [op, { calls: l.length, perSecond: l.length / seconds, p50: quantile(l, 0.5), p99: quantile(l, 0.99) }];
                        }),
                    ),
                    errors: result.errors.length,
                    lost: lost.length,
                    acknowledgedWrites: writes,
                    rss: { first: rss[0], peak, last: rss[rss.length - 1], afterGc: rssAfterGc, samples: rss },
                    heapAfterGc: { start: heapStart, end: heapEnd, every15s: heapSeries },
                },
                null,
                2,
            ),
        );
    } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
    }
    if (failed) process.exit(1);
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});

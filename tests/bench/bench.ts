/**
 * `make bench`: wall time of `pulumi up` (create), `pulumi preview` (no changes) and `pulumi refresh`
 * (no drift) for stacks of 1, 10, 50, 200 and 500 ECR repositories, next to stacks of as many no-op
 * dynamic resources (examples/noop, the floor of the dynamic-provider mechanism), all in one run on
 * one endpoint; the ECR API calls each operation makes (through a counting proxy); and the
 * checkpoint bytes each repository adds. A third column runs no-op resources that carry a
 * Repository's properties ("shaped"): the part of the gap that is the engine moving a bigger
 * property bag, not the ECR provider's own work. It prints figures; it asserts nothing (goals:
 * within 1.2x of the shaped floor, at most ~1.1 API calls per repository for refresh, < 4 KB of
 * state per repository).
 *
 * Each run measures the three kinds one after the other at one size, so the ratios of one run share
 * the machine's conditions; the table gives the median over the runs with the spread (min-max).
 *
 *   BENCH_SIZES=1,10,50,200,500  BENCH_RUNS=3   (the full run, for the README)
 *   BENCH_QUICK=1                               (sizes 1, 10, 50, one run each: `make bench-quick`)
 *   BENCH_PARALLEL=32                           (the engine's --parallel for every operation; default: the CLI's, 4 per CPU)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { type CountingProxy, startCountingProxy } from "../helpers/countingProxy";
import { useEndpoint } from "../helpers/moto";
import {
    REPO_ROOT,
    awsEnv,
    checkpointPath,
    checkpointResources,
    openStack,
    programMode,
    removeStack,
    startEndpoint,
    uniqueName,
} from "../helpers/pulumi";

const QUICK = !!process.env.BENCH_QUICK && process.env.BENCH_QUICK !== "0";
const SIZES = (process.env.BENCH_SIZES ?? (QUICK ? "1,10,50" : "1,10,50,200,500"))
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3)));
/** The engine's --parallel: how many resource operations (and so concurrent reads in a refresh) run at once. */
const PARALLEL = Number(process.env.BENCH_PARALLEL) || undefined;
const opts = PARALLEL ? { parallel: PARALLEL } : {};

interface Program {
    dir: string;
    project: string;
    config?: Record<string, string>;
}
const PROGRAMS = {
    noop: { dir: path.join(REPO_ROOT, "examples", "noop"), project: "noop" },
    shaped: { dir: path.join(REPO_ROOT, "examples", "noop"), project: "noop", config: { shape: "repository" } },
    ecr: { dir: path.join(__dirname, "repositories"), project: "bench-repositories" },
} satisfies Record<string, Program>;
type Kind = keyof typeof PROGRAMS;
const KINDS: Kind[] = ["noop", "shaped", "ecr"];
const OPS = ["up", "preview", "refresh"] as const;
type Op = (typeof OPS)[number];

interface Run {
    /** Seconds per operation. */
    time: Record<Op, number>;
    /** ECR API calls per operation. */
    calls: Record<Op, number>;
    /** Checkpoint file size with the stack up. */
    bytes: number;
    /** Mean size of one resource of the measured kind as written in the checkpoint. */
    resourceBytes: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
    const t = process.hrtime.bigint();
    const r = await fn();
    return [Number(process.hrtime.bigint() - t) / 1e9, r];
}

async function open(kind: Kind, count: number, env: Record<string, string>): Promise<Stack> {
    const program: Program = PROGRAMS[kind];
    return openStack({
        dir: program.dir,
        stackName: uniqueName(`bench-${kind}-${count}`),
        env,
        config: { "aws:region": "us-east-1", count: String(count), ...program.config },
    });
}

/** One run of one kind at one size: up (every resource created), preview, refresh, then destroy. */
async function measure(stack: Stack, kind: Kind, count: number, proxy: CountingProxy): Promise<Run> {
    const time = {} as Record<Op, number>;
    const calls = {} as Record<Op, number>;
    const counted = async <T>(op: Op, fn: () => Promise<T>): Promise<T> => {
        proxy.reset();
        const [t, r] = await timed(fn);
        time[op] = t;
        calls[op] = proxy.calls().length;
        return r;
    };
    const up = await counted("up", () => stack.up(opts));
    const created = up.summary.resourceChanges?.create ?? 0;
    if (created !== count + 1)
        throw new Error(`${kind} x${count}: expected ${count} creates, got ${JSON.stringify(up.summary.resourceChanges)}`);
    const p = await counted("preview", () => stack.preview(opts));
    const changed = Object.entries(p.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    if (changed.length) throw new Error(`${kind} x${count}: preview after up shows changes ${JSON.stringify(p.changeSummary)}`);
    const r = await counted("refresh", () => stack.refresh(opts));
    const drift = Object.entries(r.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
    if (drift.length) throw new Error(`${kind} x${count}: refresh after up shows drift ${JSON.stringify(r.summary.resourceChanges)}`);
    const project = PROGRAMS[kind].project;
    const bytes = fs.statSync(checkpointPath(project, stack.name)).size;
    const mine = checkpointResources(project, stack.name).filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"));
    // As the file stores it: indented by 4 spaces, one resource among others.
    const resourceBytes = mine.reduce((s, x) => s + JSON.stringify(x, null, 4).length, 0) / Math.max(1, mine.length);
    await stack.destroy(opts);
    return { time, calls, bytes, resourceBytes };
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** `median (min-max)`, or just the value for one run. */
const spread = (xs: number[], digits: number, unit = "") => {
    const f = (x: number) => x.toFixed(digits);
    if (xs.length === 1) return `${f(xs[0])}${unit}`;
    return `${f(median(xs))}${unit} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
};

async function main() {
    const ep = await startEndpoint();
    const proxy = await startCountingProxy(ep.url);
    const restore = useEndpoint(proxy.url);
    const env = awsEnv(proxy.url);
    const results = new Map<number, Record<Kind, Run[]>>();
    try {
        console.log(
            `bench: endpoint ${ep.kind} at ${ep.url} (behind a counting proxy), program mode ${programMode()}, sizes ${SIZES.join(", ")}, ${RUNS} run(s) each, --parallel ${PARALLEL ?? "default"}`,
        );
        // A first throwaway run warms the CLI, ts-node and the module caches so the first row is not penalised.
        for (const kind of ["noop", "ecr"] as Kind[]) {
            const s = await open(kind, 1, env);
            try {
                await measure(s, kind, 1, proxy);
            } finally {
                await removeStack(s);
            }
        }
        for (const count of SIZES) {
            const stacks = {} as Record<Kind, Stack>;
            const runs: Record<Kind, Run[]> = { noop: [], shaped: [], ecr: [] };
            try {
                for (const kind of KINDS) stacks[kind] = await open(kind, count, env);
                for (let i = 0; i < RUNS; i++) {
                    for (const kind of KINDS) runs[kind].push(await measure(stacks[kind], kind, count, proxy));
                }
            } finally {
                for (const kind of KINDS) await removeStack(stacks[kind]);
            }
            results.set(count, runs);
            console.log(`bench: ${count} done`);
        }
    } finally {
        restore();
        await proxy.stop();
        await ep.stop();
    }

    const n = RUNS > 1 ? `median (min-max) of ${RUNS} runs` : "one run";
    console.log("");
    console.log(`seconds per operation and ratios measured in the same run, ${n}:`);
    console.log("");
    const header = ["resources", "op", "noop", "shaped", "ecr", "ecr/noop", "ecr/shaped", "API calls/repo"];
    const rows: string[][] = [];
    for (const [count, runs] of results) {
        for (const op of OPS) {
            const t = (k: Kind) => runs[k].map((r) => r.time[op]);
            const ratio = (k: Kind) => runs.ecr.map((r, i) => r.time[op] / runs[k][i].time[op]);
            rows.push([
                String(count),
                op,
                spread(t("noop"), 2),
                spread(t("shaped"), 2),
                spread(t("ecr"), 2),
                spread(ratio("noop"), 2),
                spread(ratio("shaped"), 2),
                spread(
                    runs.ecr.map((r) => r.calls[op] / count),
                    2,
                ),
            ]);
        }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
    console.log(line(header));
    console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`);
    rows.forEach((r) => console.log(line(r)));
    console.log("");
    console.log("noop: no-op dynamic resources with one property; shaped: no-op resources carrying a Repository's properties");
    console.log("");
    const sizes = [...results.keys()];
    const first = results.get(sizes[0]);
    const lastCount = sizes[sizes.length - 1];
    const last = results.get(lastCount);
    if (first && last && lastCount > sizes[0]) {
        const growth = (k: Kind) => (last[k][0].bytes - first[k][0].bytes) / (lastCount - sizes[0]);
        console.log(
            `checkpoint bytes per repository: ${growth("ecr").toFixed(0)} (file growth from ${sizes[0]} to ${lastCount}); one Repository as stored: ${last.ecr[0].resourceBytes.toFixed(0)}`,
        );
        console.log(
            `checkpoint bytes per no-op resource: ${growth("noop").toFixed(0)}, per shaped no-op: ${growth("shaped").toFixed(0)}; one shaped as stored: ${last.shaped[0].resourceBytes.toFixed(0)}`,
        );
    }
    for (const [count, runs] of results) {
        console.log(
            `checkpoint file with ${count}: ecr ${runs.ecr[0].bytes} bytes, shaped ${runs.shaped[0].bytes}, noop ${runs.noop[0].bytes}`,
        );
    }
    for (const [count, runs] of results) {
        const c = runs.ecr[runs.ecr.length - 1].calls;
        console.log(`ECR API calls with ${count}: up ${c.up}, preview ${c.preview}, refresh ${c.refresh}`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});

/**
 * `make bench`: wall time of `pulumi up` (create) and `pulumi preview` (no changes) for stacks of
 * 1, 10 and 50 ECR repositories, next to stacks of as many no-op dynamic resources (examples/noop,
 * the floor of the dynamic-provider mechanism), all in one run on one endpoint; and the checkpoint
 * bytes each repository adds. A third column runs no-op resources that carry a Repository's
 * properties ("shaped"): the part of the gap that is the engine moving a bigger property bag, not
 * the ECR provider's own work. It prints figures; it asserts nothing (goals: ratio < 1.2, < 4 KB
 * of state per repository).
 *
 *   BENCH_SIZES=1,10,50  BENCH_UPS=2  BENCH_PREVIEWS=3  (runs per stack; the fastest counts)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
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

const SIZES = (process.env.BENCH_SIZES ?? "1,10,50")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
const UPS = Math.max(1, Number(process.env.BENCH_UPS ?? 2));
const PREVIEWS = Math.max(1, Number(process.env.BENCH_PREVIEWS ?? 3));

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

interface Run {
    up: number;
    preview: number;
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

async function measure(kind: Kind, count: number, env: Record<string, string>): Promise<Run> {
    const program: Program = PROGRAMS[kind];
    let stack: Stack | undefined;
    try {
        stack = await openStack({
            dir: program.dir,
            stackName: uniqueName(`bench-${kind}-${count}`),
            env,
            config: { "aws:region": "us-east-1", count: String(count), ...program.config },
        });
        // Each up creates every resource (the stack is destroyed between runs).
        let up = Infinity;
        for (let i = 0; i < UPS; i++) {
            if (i > 0) await stack.destroy();
            const [t, upResult] = await timed(() => stack!.up());
            const created = upResult.summary.resourceChanges?.create ?? 0;
            if (created !== count + 1)
                throw new Error(`${kind} x${count}: expected ${count} creates, got ${JSON.stringify(upResult.summary.resourceChanges)}`);
            up = Math.min(up, t);
        }
        let preview = Infinity;
        for (let i = 0; i < PREVIEWS; i++) {
            const [t, p] = await timed(() => stack!.preview());
            const changed = Object.entries(p.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
            if (changed.length) throw new Error(`${kind} x${count}: preview after up shows changes ${JSON.stringify(p.changeSummary)}`);
            preview = Math.min(preview, t);
        }
        const project = program.project;
        const file = checkpointPath(project, stack.name);
        const bytes = fs.statSync(file).size;
        const mine = checkpointResources(project, stack.name).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        // As the file stores it: indented by 4 spaces, one resource among others.
        const resourceBytes = mine.reduce((s, r) => s + JSON.stringify(r, null, 4).length, 0) / Math.max(1, mine.length);
        await stack.destroy();
        return { up, preview, bytes, resourceBytes };
    } finally {
        await removeStack(stack);
    }
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
const pad = (s: string, n: number) => s.padStart(n);

async function main() {
    const ep = await startEndpoint();
    const restore = useEndpoint(ep.url);
    const env = awsEnv(ep.url);
    const rows: { count: number; noop: Run; shaped: Run; ecr: Run }[] = [];
    try {
        console.log(
            `bench: endpoint ${ep.kind} at ${ep.url}, program mode ${programMode()}, sizes ${SIZES.join(", ")}, fastest of ${UPS} ups and ${PREVIEWS} previews`,
        );
        // A first throwaway run warms the CLI, ts-node and the module caches so the first row is not penalised.
        await measure("noop", 1, env);
        await measure("ecr", 1, env);
        for (const count of SIZES) {
            const noop = await measure("noop", count, env);
            const shaped = await measure("shaped", count, env);
            const ecr = await measure("ecr", count, env);
            rows.push({ count, noop, shaped, ecr });
            console.log(`bench: ${count} done`);
        }
    } finally {
        restore();
        await ep.stop();
    }

    console.log("");
    const header = ["resources", "noop up", "ecr up", "ratio", "vs shaped", "noop preview", "ecr preview", "ratio", "vs shaped"];
    const widths = header.map((h) => Math.max(h.length, 7));
    const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i])).join(" | ");
    console.log(line(header));
    console.log("-".repeat(line(header).length));
    for (const { count, noop, shaped, ecr } of rows) {
        console.log(
            line([
                String(count),
                fmt(noop.up),
                fmt(ecr.up),
                (ecr.up / noop.up).toFixed(2),
                (ecr.up / shaped.up).toFixed(2),
                fmt(noop.preview),
                fmt(ecr.preview),
                (ecr.preview / noop.preview).toFixed(2),
                (ecr.preview / shaped.preview).toFixed(2),
            ]),
        );
    }
    console.log(
        "ratio: ECR repositories / no-op resources with one property; vs shaped: / no-op resources carrying a Repository's properties",
    );
    console.log("");
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first && last && last.count > first.count) {
        const perRepo = (last.ecr.bytes - first.ecr.bytes) / (last.count - first.count);
        const perNoop = (last.noop.bytes - first.noop.bytes) / (last.count - first.count);
        console.log(
            `checkpoint bytes per repository: ${perRepo.toFixed(0)} (file growth from ${first.count} to ${last.count}); one Repository as stored: ${last.ecr.resourceBytes.toFixed(0)}`,
        );
        console.log(`checkpoint bytes per no-op resource: ${perNoop.toFixed(0)}; one as stored: ${last.noop.resourceBytes.toFixed(0)}`);
    }
    for (const { count, noop, ecr } of rows) {
        console.log(`checkpoint file with ${count}: ecr ${ecr.bytes} bytes, noop ${noop.bytes} bytes`);
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});

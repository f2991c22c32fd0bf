/**
 * `make bench-profile`: CPU profiles of one `pulumi preview` (and optionally `refresh`) of a stack
 * of N resources. The dynamic-provider host inherits NODE_OPTIONS from the engine, so
 * `--cpu-prof --cpu-prof-dir` in the stack's environment profiles every provider process; the
 * program side (inline mode runs it in this process) is profiled with `--cpu-prof` on this process.
 * Prints the top self-time functions of the provider processes. Figures only.
 *
 *   PROFILE_KIND=ecr|shaped|noop  PROFILE_COUNT=500  PROFILE_OPS=preview,refresh  PROFILE_DIR=.bench/profile
 */
import * as fs from "node:fs";
import * as inspector from "node:inspector/promises";
import * as path from "node:path";
import { useEndpoint } from "../helpers/moto";
import { REPO_ROOT, awsEnv, openStack, removeStack, startEndpoint, uniqueName } from "../helpers/pulumi";

const KIND = process.env.PROFILE_KIND ?? "ecr";
const COUNT = Number(process.env.PROFILE_COUNT ?? 500);
const OPS = (process.env.PROFILE_OPS ?? "preview").split(",").map((s) => s.trim());
const OUT = path.resolve(process.env.PROFILE_DIR ?? path.join(REPO_ROOT, ".bench", "profile"));

interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
}
interface Profile {
    nodes: Node[];
    startTime: number;
    endTime: number;
    samples?: number[];
    timeDeltas?: number[];
}

/** Self time per function (ms), summed over the profiles, plus time per package (module-loading shows under node:internal). */
export function summarise(files: string[], top = 25): string {
    const self = new Map<string, number>();
    const byPackage = new Map<string, number>();
    let total = 0;
    for (const f of files) {
        const p = JSON.parse(fs.readFileSync(f, "utf8")) as Profile;
        const byId = new Map(p.nodes.map((n) => [n.id, n]));
        const samples = p.samples ?? [];
        const deltas = p.timeDeltas ?? [];
        for (let i = 0; i < samples.length; i++) {
            const n = byId.get(samples[i])!;
            const ms = (deltas[i] ?? 0) / 1000;
            total += ms;
            const { functionName, url, lineNumber } = n.callFrame;
            const short = url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "");
            const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
            self.set(key, (self.get(key) ?? 0) + ms);
            const pkg = !url
                ? functionName || "(native)"
                : url.startsWith("node:")
                  ? "node:internal"
                  : (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? short);
            byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
        }
    }
    const rows = (m: Map<string, number>) =>
        [...m]
            .sort((a, b) => b[1] - a[1])
            .slice(0, top)
            .map(([k, v]) => `${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
            .join("\n");
    return `${files.length} profiles, ${total.toFixed(0)} ms sampled\n\nself time by function:\n${rows(self)}\n\nself time by package:\n${rows(byPackage)}`;
}

async function main() {
    const ep = await startEndpoint();
    const restore = useEndpoint(ep.url);
    const dir = KIND === "ecr" ? path.join(__dirname, "repositories") : path.join(REPO_ROOT, "examples", "noop");
    let stack;
    try {
        stack = await openStack({
            dir,
            stackName: uniqueName(`profile-${KIND}-${COUNT}`),
            env: awsEnv(ep.url),
            config: { "aws:region": "us-east-1", count: String(COUNT), ...(KIND === "shaped" ? { shape: "repository" } : {}) },
        });
        await stack.up();
        for (const op of OPS) {
            const opDir = path.join(OUT, `${KIND}-${COUNT}-${op}`);
            fs.rmSync(opDir, { recursive: true, force: true });
            fs.mkdirSync(opDir, { recursive: true });
            const envVars = (stack.workspace as import("@pulumi/pulumi/automation").LocalWorkspace).envVars;
            envVars.NODE_OPTIONS = `--require ${path.join(__dirname, "cpuProfilePreload.js")}`;
            envVars.CPU_PROFILE_DIR = opDir;
            // Inline mode runs the program in this process: profile it over the same operation.
            const session = new inspector.Session();
            session.connect();
            await session.post("Profiler.setSamplingInterval", { interval: 1000 });
            await session.post("Profiler.enable");
            await session.post("Profiler.start");
            const t = process.hrtime.bigint();
            if (op === "preview") await stack.preview();
            else if (op === "refresh") await stack.refresh();
            else if (op === "up") await stack.up();
            const s = Number(process.hrtime.bigint() - t) / 1e9;
            const { profile } = await session.post("Profiler.stop");
            session.disconnect();
            const programDir = path.join(OUT, `${KIND}-${COUNT}-${op}-program`);
            fs.rmSync(programDir, { recursive: true, force: true });
            fs.mkdirSync(programDir, { recursive: true });
            fs.writeFileSync(path.join(programDir, `${process.pid}.cpuprofile`), JSON.stringify(profile));
            delete envVars.NODE_OPTIONS;
            delete envVars.CPU_PROFILE_DIR;
            // Only the dynamic-provider host's processes (the `node -e require.resolve` of its shell wrapper is tiny).
            const files = fs.readdirSync(opDir).map((f) => path.join(opDir, f));
            console.log(`\n=== ${KIND} x${COUNT} ${op}: ${s.toFixed(2)} s; profiles in ${opDir}`);
            console.log(summarise(files));
            console.log(`\n--- the program's process (inline mode: the program, the Automation API and the local endpoint)`);
            console.log(summarise([path.join(programDir, `${process.pid}.cpuprofile`)]));
        }
        await stack.destroy();
    } finally {
        await removeStack(stack);
        restore();
        await ep.stop();
    }
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}

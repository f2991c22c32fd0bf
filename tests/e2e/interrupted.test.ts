/**
 * No orphans after an interrupted `pulumi up`.
 *
 * GIVEN a program of 20 auto-named repositories, run by the real CLI and engine (Automation API,
 *       inline mode) in a driver process spawned in its own process group
 * WHEN  the whole group (driver and program, CLI, engine, dynamic-provider host) is killed with
 *       SIGKILL after 1, 10 and 19 CreateRepository calls have been answered at the endpoint, and the
 *       user then does what the CLI says: `pulumi refresh --clear-pending-creates` (the pending
 *       creates cannot be imported: dynamic resources have no import), then `pulumi up`
 * THEN  ECR holds exactly the repositories the stack's state holds: 20, none created twice, none
 *       that no stack knows about, each carrying this stack's ownership tag; and destroy leaves none.
 *
 * The engine starts each plugin (the dynamic-provider host among them) in a process group of its
 * own, so a kill of the CLI's group alone, as a terminal delivers it, leaves the provider host
 * running, orphaned, free to finish the creates in flight. The test kills every process of the run:
 * the driver's group and the group of each process below it (Linux: read from /proc), and checks
 * that none survives.
 *
 * Each case has its own local endpoint (in this process: the driver is spawned asynchronously, so
 * the endpoint keeps serving), so what ECR holds is exactly what this stack made.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ECRClient, ListTagsForResourceCommand, paginateDescribeRepositories } from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { STATE_DIR, TOOLS_DIR, awsEnv, checkpointPath, ensureBuilt, pulumiEnv, uniqueName } from "../helpers/pulumi";
import { REGION, fixtureDir } from "./context";

const COUNT = 20;
const PROJECT = "interrupted";
const OWNER_TAG_KEY = "pulumi-ecr:owner";

interface RunResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

describe("e2e: an interrupted pulumi up leaves no orphans", function () {
    this.timeout(900_000);
    const driver = path.join(fixtureDir("interrupted"), "driver.js");

    let ecr: LocalEcr;
    let sdk: ECRClient;
    let env: Record<string, string>;
    /** CreateRepository calls answered 200 by the endpoint, and who waits for a count. */
    let created = 0;
    let waiter: { count: number; resolve: () => void } | undefined;

    async function startEndpoint() {
        created = 0;
        ecr = await startLocalEcr({
            log: (line) => {
                if (!line.startsWith("CreateRepository 200")) return;
                created++;
                if (waiter && created >= waiter.count) waiter.resolve();
            },
        });
        sdk = new ECRClient({ endpoint: ecr.url, region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        env = { ...pulumiEnv(awsEnv(ecr.url, REGION)), PULUMI_ECR_TOOLS_DIR: TOOLS_DIR };
    }
    async function stopEndpoint() {
        sdk?.destroy();
        await ecr?.stop();
    }

    /** Spawns the driver in its own process group (detached), so that one kill reaches everything it started. */
    function spawnDriver(step: string, stack: string, settings: object): { child: ChildProcess; done: Promise<RunResult> } {
        const child = spawn(process.execPath, [driver, step, stack, JSON.stringify(settings)], {
            cwd: path.dirname(driver),
            env: { ...process.env, ...env },
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        const done = new Promise<RunResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
        return { child, done };
    }
    async function run(step: string, stack: string, settings: object = { count: COUNT }): Promise<RunResult> {
        return spawnDriver(step, stack, settings).done;
    }
    const summaryOf = (r: RunResult) => JSON.parse(r.stdout.trim().split("\n").pop() || "{}").summary ?? {};

    /** pid → [parent pid, process group] of every process, from /proc. */
    function processTable(): Map<number, [number, number]> {
        const table = new Map<number, [number, number]>();
        for (const entry of fs.readdirSync("/proc")) {
            if (!/^\d+$/.test(entry)) continue;
            try {
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                const [, ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                table.set(Number(entry), [Number(ppid), Number(pgid)]);
            } catch {
                // gone meanwhile
            }
        }
        return table;
    }
    /** `root` and every process below it. */
    function processTree(root: number): number[] {
        const table = processTable();
        const tree = [root];
        for (let i = 0; i < tree.length && tree.length < 10_000; i++) {
            for (const [pid, [ppid]] of table) if (ppid === tree[i]) tree.push(pid);
        }
        return tree;
    }

    /** Runs `up` and kills every process of it (each process group in its tree) once `after` repositories have been created. */
    async function upKilledAfter(stack: string, after: number): Promise<RunResult> {
        const reached = new Promise<void>((resolve) => (waiter = { count: after, resolve }));
        const { child, done } = spawnDriver("up", stack, { count: COUNT });
        const first = await Promise.race([reached.then(() => "reached" as const), done.then(() => "exited" as const)]);
        waiter = undefined;
        let tree: number[] = [];
        if (first === "reached") {
            tree = processTree(child.pid!);
            const table = processTable();
            const ownGroup = table.get(process.pid)?.[1];
            const groups = new Set(tree.map((pid) => table.get(pid)?.[1]).filter((g): g is number => g !== undefined && g !== ownGroup));
            for (const group of groups) process.kill(-group, "SIGKILL");
        }
        const result = await done;
        assert.equal(first, "reached", `up ended before ${after} creates: ${result.stderr.slice(-2000)}`);
        assert.ok(tree.length >= 3, `driver, CLI and provider host at least: ${tree.length} processes`);
        // Orphans are reaped by init: wait (bounded) until none of the run's processes is left.
        let alive = tree;
        for (let i = 0; i < 200 && alive.length > 0; i++) {
            alive = alive.filter((pid) => fs.existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readStat(pid)));
            if (alive.length) await new Promise((r) => setTimeout(r, 25));
        }
        assert.deepEqual(alive, [], "every process of the killed run is gone, the provider host included");
        return result;
    }
    const readStat = (pid: number) => {
        try {
            return fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        } catch {
            return "";
        }
    };

    async function repositoriesInEcr(): Promise<Map<string, string | undefined>> {
        const out = new Map<string, string | undefined>();
        for await (const page of paginateDescribeRepositories({ client: sdk }, {})) {
            for (const r of page.repositories ?? []) {
                const tags = await sdk.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }));
                out.set(r.repositoryName!, tags.tags?.find((t) => t.Key === OWNER_TAG_KEY)?.Value);
            }
        }
        return out;
    }
    function checkpoint(stack: string) {
        const doc = JSON.parse(fs.readFileSync(checkpointPath(PROJECT, stack), "utf8"));
        const latest = doc.checkpoint?.latest ?? {};
        const repos = ((latest.resources ?? []) as { type: string; id?: string; outputs?: Record<string, unknown> }[])
            .filter((r) => r.type === "pulumi-nodejs:dynamic/ecr:Repository")
            .map((r) => ({ name: String(r.outputs?.name ?? r.id), ownerToken: r.outputs?.ownerToken as string | undefined }));
        return { repos, pending: (latest.pending_operations ?? []) as { type: string; resource: { urn: string } }[] };
    }

    before(() => {
        ensureBuilt();
        fs.mkdirSync(STATE_DIR, { recursive: true });
    });

    for (const killAfter of [1, 10, 19]) {
        describe(`killed with SIGKILL after ${killAfter} of ${COUNT} creates`, () => {
            const stack = uniqueName(`int${killAfter}`);
            const timings: string[] = [];
            before(startEndpoint);
            after(async () => {
                await run("destroy", stack).catch(() => undefined);
                await run("rm", stack).catch(() => undefined);
                await stopEndpoint();
                console.log(`      ${timings.join(", ")}`);
            });

            it("the killed run leaves repositories in ECR that its state does not hold (the case to recover from)", async () => {
                const t0 = Date.now();
                const killed = await upKilledAfter(stack, killAfter);
                timings.push(`killed up ${Date.now() - t0} ms`);
                assert.equal(killed.signal, "SIGKILL");
                const inEcr = await repositoriesInEcr();
                assert.ok(inEcr.size >= killAfter, `${inEcr.size} repositories in ECR`);
                const { repos, pending } = checkpoint(stack);
                console.log(
                    `      after the kill: ${inEcr.size} in ECR, ${repos.length} in state, ${pending.length} pending operations in state`,
                );
                assert.ok(repos.length <= inEcr.size);
            });

            it("after doing what the CLI says (cancel, refresh --clear-pending-creates) and `pulumi up`, ECR holds exactly what the state holds", async () => {
                // Run `up`, and when the CLI refuses, do what it says, as a user would: a bounded number of rounds.
                const did: string[] = [];
                for (let round = 0; ; round++) {
                    assert.ok(round < 5, `still failing after ${did.join(" → ")}`);
                    const t0 = Date.now();
                    const up = await run("up", stack);
                    timings.push(`up ${Date.now() - t0} ms`);
                    for (const line of up.stderr
                        .split("\n")
                        .filter((l) => /pending/i.test(l))
                        .slice(0, 3))
                        console.log(`      the CLI said: ${line.trim()}`);
                    if (up.code === 0 && checkpoint(stack).pending.length === 0) break;
                    if (up.code === 0) {
                        // The update ran, but the interrupted one's pending creates are still in the state: the CLI asks for a refresh.
                        const refresh = await run("refresh", stack, { count: COUNT, clearPendingCreates: true });
                        assert.equal(refresh.code, 0, refresh.stderr.slice(-2000));
                        did.push("up", "refresh --clear-pending-creates");
                        continue;
                    }
                    const said = /error: [^\n]*/.exec(up.stderr.slice(up.stderr.indexOf("stderr:")))?.[0] ?? up.stderr.slice(-1500);
                    console.log(`      the CLI said: ${said}`);
                    if (/currently locked/.test(up.stderr)) {
                        // kill -9 left the update's lock behind: "delete the lock file with `pulumi cancel`".
                        const cancel = await run("cancel", stack);
                        assert.equal(cancel.code, 0, cancel.stderr.slice(-2000));
                        did.push("cancel");
                    } else if (/pending/i.test(up.stderr)) {
                        const refresh = await run("refresh", stack, { count: COUNT, clearPendingCreates: true });
                        assert.equal(refresh.code, 0, refresh.stderr.slice(-2000));
                        did.push("refresh --clear-pending-creates");
                    } else if (/failed to load checkpoint: EOF/.test(up.stderr)) {
                        // The file backend writes `<stack>.json.attrs` (blob metadata) in place; the kill can cut it to nothing.
                        const attrs = `${checkpointPath(PROJECT, stack)}.attrs`;
                        assert.equal(fs.statSync(attrs).size, 0, `failed to load checkpoint for another reason: ${up.stderr.slice(-2000)}`);
                        fs.rmSync(attrs);
                        did.push("rm empty .json.attrs");
                    } else {
                        assert.fail(`up failed: ${up.stderr.slice(-3000)}`);
                    }
                }
                console.log(`      recovered with: ${[...did, "up"].join(" → ")}`);

                const { repos, pending: left } = checkpoint(stack);
                assert.deepEqual(left, []);
                assert.equal(repos.length, COUNT, "the state holds every repository of the program");
                const inEcr = await repositoriesInEcr();
                assert.deepEqual([...inEcr.keys()].sort(), repos.map((r) => r.name).sort(), "ECR holds exactly the state's repositories");
                for (const r of repos) assert.equal(inEcr.get(r.name), r.ownerToken, `${r.name} carries this resource's ownership tag`);
                assert.equal(created, COUNT, "each repository was created once at the endpoint, none twice");

                const preview = await run("preview", stack);
                assert.equal(preview.code, 0, preview.stderr.slice(-2000));
                assert.deepEqual(
                    Object.entries(summaryOf(preview)).filter(([op]) => op !== "same"),
                    [],
                    "a preview after recovery shows no changes",
                );
            });

            it("destroy then leaves nothing", async () => {
                const down = await run("destroy", stack);
                assert.equal(down.code, 0, down.stderr.slice(-2000));
                assert.equal((await repositoriesInEcr()).size, 0);
            });
        });
    }
});

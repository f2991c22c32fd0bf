/**
 * A sustained mixed load on `ecr-local` as a separate process, and the check that nothing it
 * acknowledged was lost. Shared by the load benchmark (`make bench-load`: 64 clients for a minute,
 * figures printed) and its short integration test (16 clients for a few seconds, asserted).
 *
 * Each client owns its repositories, so it knows exactly what ECR must hold for them: every
 * acknowledged write (create, delete, layer upload, PutImage, policy, lifecycle policy, tag) is
 * recorded in the client's model, reads are checked against the model as the run goes, and after
 * the run the process is killed with SIGKILL, restarted on the same data directory, and the whole
 * model is compared with what the restarted endpoint reports. Clients never retry (maxAttempts 1),
 * so every error the endpoint answers is counted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as c from "@aws-sdk/client-ecr";
import { configBlob, ociManifest, randomLayer, type Blob } from "../conformance/fixtures";

const ROOT = path.resolve(__dirname, "..", "..");

// ---------- the endpoint process ----------

/** `ecr-local` running as its own process. */
export interface EndpointProcess {
    url: string;
    pid: number;
    /** Resident set size of the process now, in bytes (from /proc). */
    rss(): number;
    /** Heap in use right after a full GC in the process, in bytes (only for the built CLI, which runs with --expose-gc and the probe). */
    heapAfterGc(): Promise<number>;
    /** SIGKILL, and wait for the exit. */
    kill9(): Promise<void>;
    /** SIGTERM, and wait for the exit. */
    stop(): Promise<void>;
    /** The process's stdout and stderr so far (the last 64 KiB). */
    output(): string;
}

// On SIGUSR2 the endpoint process collects garbage and prints its heap in use: a probe loaded
// with --import, so the endpoint's own code knows nothing of the benchmark.
const HEAP_PROBE =
    "data:text/javascript," +
    encodeURIComponent(
        `process.on("SIGUSR2", () => { globalThis.gc?.(); globalThis.gc?.(); process.stdout.write("HEAP " + process.memoryUsage().heapUsed + "\\n"); });`,
    );

/**
 * Starts `ecr-local --data <dir>` and waits for READY: the built CLI (as the benchmark measures it)
 * when there is one and `fromSource` is not set, else from source (as tests run it, so that they
 * test the code as it is, not the last build).
 */
export async function startEndpointProcess(dataDir: string, opts: { fromSource?: boolean } = {}): Promise<EndpointProcess> {
    const built = path.join(ROOT, "dist", "local", "cli.js");
    // From source (ts-node, CommonJS) the ESM probe cannot be loaded alongside: no heap figure then.
    const probe = !opts.fromSource && fs.existsSync(built);
    const entry = probe
        ? ["--expose-gc", "--import", HEAP_PROBE, built]
        : ["-r", "ts-node/register/transpile-only", path.join(ROOT, "local", "cli.ts")];
    const child: ChildProcess = spawn(process.execPath, [...entry, "--port", "0", "--data", dataDir], {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const heapWaiters: ((n: number) => void)[] = [];
    const append = (d: Buffer) => {
        const text = d.toString();
        for (const m of text.matchAll(/^HEAP (\d+)$/gm)) heapWaiters.shift()?.(Number(m[1]));
        out = (out + text).slice(-65_536);
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
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
    const running = () => child.exitCode === null && child.signalCode === null;
    return {
        url,
        pid: child.pid!,
        rss: () => {
            const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
            return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
        },
        heapAfterGc: () =>
            new Promise<number>((resolve, reject) => {
                if (!probe) return reject(new Error("the heap probe needs the built CLI: run `make build`"));
                const timer = setTimeout(() => reject(new Error("ecr-local did not answer the heap probe")), 30_000);
                heapWaiters.push((n) => {
                    clearTimeout(timer);
                    resolve(n);
                });
                child.kill("SIGUSR2");
            }),
        kill9: async () => {
            if (running()) child.kill("SIGKILL");
            await exited;
        },
        stop: async () => {
            if (running()) child.kill("SIGTERM");
            await exited;
        },
        output: () => out,
    };
}

// ---------- the clients ----------

/** What one client knows ECR holds for one of its repositories. */
interface RepoModel {
    /** tag → image digest. */
    images: Map<string, string>;
    /** Layer and config digests uploaded into it. */
    layers: Set<string>;
    policy?: string;
    lifecycle?: string;
    tags: Record<string, string>;
}

/** Everything the clients' acknowledged writes say ECR must hold. */
export interface LoadModel {
    live: Map<string, RepoModel>;
    deleted: Set<string>;
}

export interface LoadOptions {
    url: string;
    clients: number;
    durationMs: number;
    /** Layer sizes are drawn from [1, maxLayerBytes]. @default 64 KiB */
    maxLayerBytes?: number;
    /** Repositories per client before it deletes one; images per repository before it is deleted. */
    maxReposPerClient?: number;
    maxImagesPerRepo?: number;
    /** Name prefix, unique per run. */
    prefix: string;
    /** Called about once a second while the load runs. */
    onTick?: (elapsedMs: number) => void;
}

export interface LoadResult {
    /** Operation → latencies of its successful calls, in ms. */
    latencies: Map<string, number[]>;
    /** Every failed call and every read that disagreed with the model. */
    errors: { op: string; message: string }[];
    /** Acknowledged writes, by operation. */
    writes: Map<string, number>;
    elapsedMs: number;
    model: LoadModel;
}

const WRITE_OPS = new Set([
    "CreateRepository",
    "DeleteRepository",
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "PutImage",
    "SetRepositoryPolicy",
    "PutLifecyclePolicy",
    "TagResource",
]);

/** One client per logical user, each with its own connection pool, no retries. */
export function loadClient(url: string): c.ECRClient {
    return new c.ECRClient({
        endpoint: url,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        maxAttempts: 1,
    });
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
const account = "000000000000";

/** Runs the mixed load and returns what happened; the caller checks `errors` and verifies `model`. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
    const maxLayer = opts.maxLayerBytes ?? 64 * 1024;
    const maxRepos = opts.maxReposPerClient ?? 3;
    const maxImages = opts.maxImagesPerRepo ?? 8;
    const latencies = new Map<string, number[]>();
    const writes = new Map<string, number>();
    const errors: LoadResult["errors"] = [];
    const model: LoadModel = { live: new Map(), deleted: new Set() };
    const started = Date.now();
    const deadline = started + opts.durationMs;
    let serial = 0;

    const clientLoop = async (id: number) => {
        const ecr = loadClient(opts.url);
        const mine = new Map<string, RepoModel>();
        /** Sends one command, timing it; returns undefined (and records the error) when it fails. */
        const call = async <T>(op: string, send: () => Promise<T>): Promise<T | undefined> => {
            const t0 = performance.now();
            try {
                const out = await send();
                const list = latencies.get(op) ?? [];
                list.push(performance.now() - t0);
                latencies.set(op, list);
                if (WRITE_OPS.has(op)) writes.set(op, (writes.get(op) ?? 0) + 1);
                return out;
            } catch (e) {
                errors.push({ op, message: `${(e as Error).name}: ${(e as Error).message}` });
                return undefined;
            }
        };
        const disagree = (op: string, what: string) => errors.push({ op, message: `disagrees with acknowledged writes: ${what}` });

        const create = async () => {
            const name = `${opts.prefix}/c${id}/r${++serial}`;
            if (await call("CreateRepository", () => ecr.send(new c.CreateRepositoryCommand({ repositoryName: name })))) {
                const repo: RepoModel = { images: new Map(), layers: new Set(), tags: {} };
                mine.set(name, repo);
                model.live.set(name, repo);
            }
        };
        const remove = async (name: string) => {
            if (await call("DeleteRepository", () => ecr.send(new c.DeleteRepositoryCommand({ repositoryName: name, force: true })))) {
                mine.delete(name);
                model.live.delete(name);
                model.deleted.add(name);
            }
        };
        const upload = async (name: string, b: Blob): Promise<boolean> => {
            const init = await call("InitiateLayerUpload", () => ecr.send(new c.InitiateLayerUploadCommand({ repositoryName: name })));
            if (!init) return false;
            const part = await call("UploadLayerPart", () =>
                ecr.send(
                    new c.UploadLayerPartCommand({
                        repositoryName: name,
                        uploadId: init.uploadId,
                        partFirstByte: 0,
                        partLastByte: b.size - 1,
                        layerPartBlob: b.data,
                    }),
                ),
            );
            if (!part) return false;
            const done = await call("CompleteLayerUpload", () =>
                ecr.send(new c.CompleteLayerUploadCommand({ repositoryName: name, uploadId: init.uploadId, layerDigests: [b.digest] })),
            );
            if (!done) return false;
            mine.get(name)?.layers.add(b.digest);
            return true;
        };
        const push = async (name: string, repo: RepoModel) => {
            const config = configBlob(`${name}#${++serial}`);
            const layer = randomLayer(1 + Math.floor(Math.random() * maxLayer));
            if (!(await upload(name, config)) || !(await upload(name, layer))) return;
            const m = ociManifest(config, [layer]);
            const tag = `t${++serial}`;
            const out = await call("PutImage", () =>
                ecr.send(new c.PutImageCommand({ repositoryName: name, imageManifest: m.text, imageTag: tag })),
            );
            if (out) {
                repo.images.set(tag, m.digest);
                if (out.image?.imageId?.imageDigest !== m.digest)
                    disagree("PutImage", `digest ${out.image?.imageId?.imageDigest} for ${m.digest}`);
            }
        };

        while (Date.now() < deadline) {
            const names = [...mine.keys()];
            if (names.length === 0) {
                await create();
                continue;
            }
            const name = pick(names);
            const repo = mine.get(name)!;
            if (repo.images.size >= maxImages) {
                await remove(name);
                continue;
            }
            const r = Math.random() * 100;
            if (r < 25) await push(name, repo);
            else if (r < 40) {
                const out = await call("DescribeImages", () => ecr.send(new c.DescribeImagesCommand({ repositoryName: name })));
                if (out && out.imageDetails!.length !== new Set(repo.images.values()).size)
                    disagree("DescribeImages", `${out.imageDetails!.length} images in ${name}, expected ${repo.images.size}`);
            } else if (r < 55) {
                const tags = [...repo.images.keys()];
                if (tags.length === 0) continue;
                const tag = pick(tags);
                const out = await call("BatchGetImage", () =>
                    ecr.send(new c.BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: tag }] })),
                );
                if (out && out.images?.[0]?.imageId?.imageDigest !== repo.images.get(tag))
                    disagree(
                        "BatchGetImage",
                        `${name}:${tag} is ${out.images?.[0]?.imageId?.imageDigest}, expected ${repo.images.get(tag)}`,
                    );
            } else if (r < 65) {
                const out = await call("DescribeRepositories", () =>
                    ecr.send(new c.DescribeRepositoriesCommand({ repositoryNames: names })),
                );
                if (out && out.repositories!.length !== names.length)
                    disagree("DescribeRepositories", `${out.repositories!.length} of ${names.length}`);
            } else if (r < 71) {
                const text = JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: `s${++serial}`,
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${account}:root` },
                            Action: "ecr:BatchGetImage",
                        },
                    ],
                });
                if (
                    await call("SetRepositoryPolicy", () =>
                        ecr.send(new c.SetRepositoryPolicyCommand({ repositoryName: name, policyText: text })),
                    )
                )
                    repo.policy = text;
            } else if (r < 77) {
                const text = JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 + (++serial % 100) },
                            action: { type: "expire" },
                        },
                    ],
                });
                if (
                    await call("PutLifecyclePolicy", () =>
                        ecr.send(new c.PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text })),
                    )
                )
                    repo.lifecycle = text;
            } else if (r < 83) {
                const key = `k${serial % 5}`;
                const value = String(++serial);
                const arn = `arn:aws:ecr:us-east-1:${account}:repository/${name}`;
                if (
                    await call("TagResource", () =>
                        ecr.send(new c.TagResourceCommand({ resourceArn: arn, tags: [{ Key: key, Value: value }] })),
                    )
                )
                    repo.tags[key] = value;
            } else if (r < 88) {
                if (repo.policy === undefined) continue;
                const out = await call("GetRepositoryPolicy", () => ecr.send(new c.GetRepositoryPolicyCommand({ repositoryName: name })));
                if (out && out.policyText !== repo.policy) disagree("GetRepositoryPolicy", `${name} holds an older policy`);
            } else if (r < 93) {
                if (repo.layers.size === 0) continue;
                const digests = [...repo.layers].slice(0, 100);
                const out = await call("BatchCheckLayerAvailability", () =>
                    ecr.send(new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: digests })),
                );
                if (out && out.failures?.length)
                    disagree("BatchCheckLayerAvailability", `${out.failures.length} layers missing in ${name}`);
            } else if (r < 97) {
                if (names.length < maxRepos) await create();
            } else if (names.length > 1) {
                await remove(name);
            }
        }
        ecr.destroy();
    };

    const ticker = opts.onTick ? setInterval(() => opts.onTick!(Date.now() - started), 1000) : undefined;
    try {
        await Promise.all(Array.from({ length: opts.clients }, (_, i) => clientLoop(i)));
    } finally {
        if (ticker) clearInterval(ticker);
    }
    return { latencies, errors, writes, elapsedMs: Date.now() - started, model };
}

/**
 * Compares what the endpoint at `url` holds with the model: every live repository with exactly its
 * images (by tag and digest), its layers, its latest policy and lifecycle policy and its tags; every
 * deleted one absent. Returns one line per discrepancy (none when nothing was lost).
 */
export async function verifyModel(url: string, model: LoadModel, concurrency = 16): Promise<string[]> {
    const problems: string[] = [];
    const ecr = loadClient(url);
    const jobs: (() => Promise<void>)[] = [];
    for (const [name, repo] of model.live) {
        jobs.push(async () => {
            try {
                const images = new Map<string, string>();
                for await (const page of c.paginateDescribeImages({ client: ecr }, { repositoryName: name })) {
                    for (const d of page.imageDetails ?? []) for (const t of d.imageTags ?? []) images.set(t, d.imageDigest!);
                }
                for (const [tag, digest] of repo.images) {
                    if (images.get(tag) !== digest) problems.push(`${name}:${tag} is ${images.get(tag) ?? "missing"}, expected ${digest}`);
                }
                if (images.size !== repo.images.size) problems.push(`${name} holds ${images.size} tags, expected ${repo.images.size}`);
                if (repo.layers.size) {
                    const digests = [...repo.layers];
                    for (let i = 0; i < digests.length; i += 100) {
                        const out = await ecr.send(
                            new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: digests.slice(i, i + 100) }),
                        );
                        for (const f of out.failures ?? []) problems.push(`${name}: layer ${f.layerDigest} lost (${f.failureCode})`);
                    }
                }
                if (repo.policy !== undefined) {
                    const out = await ecr.send(new c.GetRepositoryPolicyCommand({ repositoryName: name }));
                    if (out.policyText !== repo.policy) problems.push(`${name}: repository policy is not the last one acknowledged`);
                }
                if (repo.lifecycle !== undefined) {
                    const out = await ecr.send(new c.GetLifecyclePolicyCommand({ repositoryName: name }));
                    if (out.lifecyclePolicyText !== repo.lifecycle)
                        problems.push(`${name}: lifecycle policy is not the last one acknowledged`);
                }
                const arn = `arn:aws:ecr:us-east-1:${account}:repository/${name}`;
                const tags = Object.fromEntries(
                    ((await ecr.send(new c.ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []).map((t) => [t.Key, t.Value]),
                );
                for (const [k, v] of Object.entries(repo.tags))
                    if (tags[k] !== v) problems.push(`${name}: tag ${k}=${tags[k]}, expected ${v}`);
            } catch (e) {
                problems.push(`${name}: ${(e as Error).name}: ${(e as Error).message}`);
            }
        });
    }
    jobs.push(async () => {
        const held = new Set<string>();
        for await (const page of c.paginateDescribeRepositories({ client: ecr, pageSize: 1000 }, {})) {
            for (const r of page.repositories ?? []) held.add(r.repositoryName!);
        }
        for (const n of model.deleted) if (held.has(n)) problems.push(`${n} was deleted, but is back`);
        for (const n of model.live.keys()) if (!held.has(n)) problems.push(`${n} was created, but is missing`);
    });
    let next = 0;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < jobs.length) await jobs[next++]();
        }),
    );
    ecr.destroy();
    return problems;
}

/** The q-quantile (0..1) of `xs`, in ms. */
export function quantile(xs: number[], q: number): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

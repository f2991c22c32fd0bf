/**
 * Drives the real Pulumi CLI (built by `make setup-pulumi` into .tools/bin) through the Automation
 * API over a program directory (`examples/<scenario>`, the root demo, the bench programs), against
 * a file backend and a passphrase secrets provider: nothing leaves the machine.
 *
 * Two ways to run a program, both with the real engine, the real dynamic-provider host and the
 * program's own Pulumi.yaml and stack config:
 * - "local": the CLI starts `pulumi-language-nodejs`, which runs the program from its directory,
 *   as `pulumi up` does for a user. Needs the Node.js language host next to the CLI.
 * - "inline": the Automation API's own language server (shipped in @pulumi/pulumi) runs the same
 *   program file in this process and the CLI connects to it (`--client`). Used when the Go module
 *   proxy could not provide the language host (see scripts/setup-pulumi.sh).
 * `PULUMI_ECR_PROGRAM_MODE=local|inline` picks one; the default is "local" when the language host
 * is installed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
    CompleteLayerUploadCommand,
    ECRClient,
    InitiateLayerUploadCommand,
    PutImageCommand,
    UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { createHash } from "node:crypto";
import { EngineEvent, LocalWorkspace, OpType, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { Endpoint, startMoto } from "./moto";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const TOOLS_DIR = path.join(REPO_ROOT, ".tools");
/** The file backend every e2e test, the demo and the bench share (git-ignored). */
export const STATE_DIR = path.join(REPO_ROOT, ".pulumi-state");
/** Not a secret: it only encrypts the secrets of throwaway test stacks in the local file backend. */
export const TEST_PASSPHRASE = "pulumi-ecr-e2e-not-a-secret";

export type ProgramMode = "local" | "inline";

function onPath(file: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (dir && fs.existsSync(path.join(dir, file))) return path.join(dir, file);
    }
    return undefined;
}

/** Where `pulumi-language-nodejs` is, if anywhere: next to our CLI, else on PATH. */
export function languageHostPath(): string | undefined {
    const local = path.join(TOOLS_DIR, "bin", "pulumi-language-nodejs");
    return fs.existsSync(local) ? local : onPath("pulumi-language-nodejs");
}

export function programMode(): ProgramMode {
    const forced = process.env.PULUMI_ECR_PROGRAM_MODE;
    if (forced === "local" || forced === "inline") return forced;
    if (forced) throw new Error(`PULUMI_ECR_PROGRAM_MODE must be "local" or "inline", got "${forced}"`);
    return languageHostPath() ? "local" : "inline";
}

let command: Promise<PulumiCommand> | undefined;

/** The CLI from .tools (made by `make setup-pulumi`), else the one on PATH; its version is checked against the SDK. */
export function pulumiCommand(): Promise<PulumiCommand> {
    if (!command) {
        const root = fs.existsSync(path.join(TOOLS_DIR, "bin", "pulumi")) ? TOOLS_DIR : undefined;
        if (!root && !onPath("pulumi")) {
            throw new Error("the Pulumi CLI is not installed: run `make setup-pulumi`");
        }
        command = PulumiCommand.get({ root });
    }
    return command;
}

/** The environment every Pulumi run gets: offline, file backend, passphrase secrets, and the providers' AWS settings. */
export function pulumiEnv(extra: Record<string, string> = {}): Record<string, string> {
    const bin = path.join(TOOLS_DIR, "bin");
    return {
        // The engine finds the dynamic-provider host (pulumi-resource-pulumi-nodejs) and the language host here.
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_BACKEND_URL: `file://${STATE_DIR}`,
        PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
        ...extra,
    };
}

/** AWS settings that point the providers (and the AWS SDK in this process) at `url` with dummy credentials. */
export function awsEnv(url: string, region = "us-east-1"): Record<string, string> {
    return {
        AWS_ENDPOINT_URL_ECR: url,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        // Never let a developer's profile or session leak into a test run.
        AWS_SESSION_TOKEN: "",
        AWS_PROFILE: "",
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

/** The program file a directory's Pulumi.yaml names (`main`), as Pulumi's Node.js runtime finds it. */
export function programEntry(dir: string): string {
    const yaml = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    const main = /^main:\s*["']?([^"'\n#]+?)["']?\s*$/m.exec(yaml)?.[1];
    const target = main ? path.resolve(dir, main) : dir;
    const candidates =
        fs.existsSync(target) && fs.statSync(target).isDirectory() ? ["index.ts", "index.js"].map((f) => path.join(target, f)) : [target];
    const found = candidates.find((f) => fs.existsSync(f));
    if (!found) throw new Error(`no program in ${dir}: looked for ${candidates.join(", ")}`);
    return found;
}

/**
 * The program of `dir` as an inline PulumiFn: loads its entry file afresh on every run (the
 * program declares its resources when loaded) and returns its exports as the stack outputs.
 */
export function inlineProgram(dir: string, env: Record<string, string>): PulumiFn {
    const entry = programEntry(dir);
    const programDir = path.dirname(entry);
    return async () => {
        // The program reads its settings from process.env exactly as it would in its own process
        // (data-source calls run here, not in the provider host).
        for (const [k, v] of Object.entries(env)) {
            if (v === "") delete process.env[k];
            else process.env[k] = v;
        }
        for (const key of Object.keys(require.cache)) {
            if (key.startsWith(programDir + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
        }
        const exports = require(entry);
        const outputs = typeof exports?.default === "function" ? await exports.default() : exports;
        return { ...outputs };
    };
}

export interface OpenStackOptions {
    /** Directory holding the program's Pulumi.yaml. */
    dir: string;
    /** Stack name; e2e tests add a random suffix so runs never share state. */
    stackName: string;
    /** Extra environment for the engine, the providers and the program, e.g. {@link awsEnv}. */
    env?: Record<string, string>;
    /** Stack config to set, unqualified keys belong to the project (`basic:name`), e.g. `{ "aws:region": "us-east-1" }`. */
    config?: Record<string, string>;
    mode?: ProgramMode;
}

/** Creates (or selects) a stack of the program in `dir`. */
export async function openStack(opts: OpenStackOptions): Promise<Stack> {
    ensureBuilt();
    fs.mkdirSync(STATE_DIR, { recursive: true });
    const env = opts.env ?? {};
    const envVars = pulumiEnv(env);
    const pulumiCmd = await pulumiCommand();
    const mode = opts.mode ?? programMode();
    const stack =
        mode === "local"
            ? await LocalWorkspace.createOrSelectStack(
                  { stackName: opts.stackName, workDir: opts.dir },
                  { envVars, pulumiCommand: pulumiCmd },
              )
            : await LocalWorkspace.createOrSelectStack(
                  { stackName: opts.stackName, projectName: projectName(opts.dir), program: inlineProgram(opts.dir, env) },
                  { workDir: opts.dir, envVars, pulumiCommand: pulumiCmd },
              );
    if (opts.config && Object.keys(opts.config).length) {
        await stack.setAllConfig(Object.fromEntries(Object.entries(opts.config).map(([k, value]) => [k, { value }])));
    }
    return stack;
}

/** The `name:` of a Pulumi.yaml. */
export function projectName(dir: string): string {
    const yaml = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    const name = /^name:\s*["']?([^"'\n#]+?)["']?\s*$/m.exec(yaml)?.[1];
    if (!name) throw new Error(`${dir}/Pulumi.yaml has no name`);
    return name;
}

/** Removes the stack and its config file, whatever state it is in (for `after()` hooks). */
export async function removeStack(stack: Stack | undefined): Promise<void> {
    if (!stack) return;
    try {
        await stack.workspace.removeStack(stack.name, { force: true });
    } catch {
        // already gone
    }
}

/** The programs import `pulumi-ecr` from node_modules, which `make build` fills. */
export function ensureBuilt(): void {
    const built = path.join(REPO_ROOT, "node_modules", "pulumi-ecr", "dist", "sdk", "index.js");
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`make build\` first`);
}

/** The checkpoint (state) file of a stack in the file backend. */
export function checkpointPath(project: string, stackName: string): string {
    return path.join(STATE_DIR, ".pulumi", "stacks", project, `${stackName}.json`);
}

/** Every file the backend keeps for a stack: checkpoint (and its .bak), backups and update history. */
export function stackFiles(project: string, stackName: string): string[] {
    const out: string[] = [];
    const walk = (p: string) => {
        if (!fs.existsSync(p)) return;
        if (fs.statSync(p).isDirectory()) fs.readdirSync(p).forEach((e) => walk(path.join(p, e)));
        else out.push(p);
    };
    const stacks = path.join(STATE_DIR, ".pulumi", "stacks", project);
    if (fs.existsSync(stacks)) {
        fs.readdirSync(stacks)
            .filter((f) => f === `${stackName}.json` || f.startsWith(`${stackName}.json.`))
            .forEach((f) => out.push(path.join(stacks, f)));
    }
    walk(path.join(STATE_DIR, ".pulumi", "backups", project, stackName));
    walk(path.join(STATE_DIR, ".pulumi", "history", project, stackName));
    return out;
}

export interface CheckpointResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** The resources of a stack's checkpoint, read from the backend file. */
export function checkpointResources(project: string, stackName: string): CheckpointResource[] {
    const file = checkpointPath(project, stackName);
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    return (doc.checkpoint?.latest?.resources ?? []) as CheckpointResource[];
}

/** What the engine did (or, in a preview, would do) to each resource in one operation, from the event stream. */
export class StepLog {
    /** URN → step ops, in order. */
    readonly ops = new Map<string, OpType[]>();
    /** URN → the property names the step changes, when the provider reported them. */
    readonly diffs = new Map<string, string[]>();
    readonly onEvent = (e: EngineEvent): void => {
        const m = e.resourcePreEvent?.metadata;
        // The stack and the default provider are the engine's own bookkeeping (the provider
        // "updates" whenever any stack config changes).
        if (!m || m.type === "pulumi:pulumi:Stack" || m.type.startsWith("pulumi:providers:")) return;
        this.ops.set(m.urn, [...(this.ops.get(m.urn) ?? []), m.op]);
        if (m.diffs?.length) this.diffs.set(m.urn, [...(this.diffs.get(m.urn) ?? []), ...m.diffs]);
    };
    /** Ops on resources of type `...:<kind>` (e.g. "Repository"), in order. */
    opsOf(kind: string): OpType[] {
        return [...this.ops].filter(([urn]) => urn.includes(`:${kind}::`)).flatMap(([, ops]) => ops);
    }
}

/**
 * Starts the ECR endpoint the e2e tests, the demo and the bench run against: the project's own
 * local endpoint (`local/`) when it is there, else moto. `PULUMI_ECR_ENDPOINT=moto|local` picks one.
 */
export async function startEndpoint(dataDir?: string): Promise<Endpoint & { kind: "local" | "moto" }> {
    const want = process.env.PULUMI_ECR_ENDPOINT;
    const localIndex = path.join(REPO_ROOT, "local", "index.ts");
    if (want !== "moto" && fs.existsSync(localIndex)) {
        const local = require(localIndex) as {
            startLocalEcr?: (o: { port?: number; host?: string; dataDir?: string }) => Promise<{ url: string; stop(): Promise<void> }>;
        };
        if (typeof local.startLocalEcr === "function") {
            // In this process, on a free loopback port; state in memory unless a directory is given.
            const ep = await local.startLocalEcr({ port: 0, host: "127.0.0.1", dataDir });
            return { url: ep.url, stop: () => ep.stop(), kind: "local" };
        }
    }
    if (want === "local") throw new Error("PULUMI_ECR_ENDPOINT=local but local/index.ts exports no startLocalEcr");
    const moto = await startMoto();
    return { ...moto, kind: "moto" };
}

/** A name unique to this run, under a fixed prefix so leftovers are easy to find and sweep. */
export function uniqueName(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

// ---------- images, for drivers that need a non-empty repository ----------

const CONFIG_BLOB = Buffer.from("{}");
const CONFIG_DIGEST = `sha256:${createHash("sha256").update(CONFIG_BLOB).digest("hex")}`;

/** A minimal OCI image manifest (an empty config, no layers), distinct per `label`. */
export function imageManifest(label: string): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: CONFIG_DIGEST, size: CONFIG_BLOB.length },
        layers: [],
        annotations: { "org.opencontainers.image.ref.name": label },
    });
}

/**
 * Pushes an image into `repository` under `tag` through the ECR API, as `docker push` would:
 * the config blob first (ECR refuses a manifest whose blobs are missing), then the manifest.
 * Every push is a new image (its manifest carries a nonce). Returns the image digest.
 */
export async function putImage(ecr: ECRClient, repository: string, tag: string): Promise<string> {
    try {
        const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: repository }));
        await ecr.send(
            new UploadLayerPartCommand({
                repositoryName: repository,
                uploadId,
                partFirstByte: 0,
                partLastByte: CONFIG_BLOB.length - 1,
                layerPartBlob: CONFIG_BLOB,
            }),
        );
        await ecr.send(new CompleteLayerUploadCommand({ repositoryName: repository, uploadId, layerDigests: [CONFIG_DIGEST] }));
    } catch (e) {
        const err = e as Error;
        // Pushed before: fine. moto has no layer uploads (and does not check blobs); anywhere else
        // PutImage below fails with LayersNotFoundException, so nothing is hidden.
        if (err.name !== "LayerAlreadyExistsException" && !/not valid JSON|not yet implemented|Deserialization/i.test(String(err.message)))
            throw e;
    }
    const out = await ecr.send(
        new PutImageCommand({
            repositoryName: repository,
            imageTag: tag,
            imageManifest: imageManifest(`${repository}:${tag}:${Date.now()}:${Math.random().toString(36).slice(2)}`),
            imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
        }),
    );
    const digest = out.image?.imageId?.imageDigest;
    if (!digest) throw new Error(`PutImage into ${repository} returned no digest`);
    return digest;
}

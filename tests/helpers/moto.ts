/**
 * Starts `moto_server` on a free loopback port for one test run and stops it afterwards.
 * moto is the independent ECR peer: nobody here wrote it, so agreeing with it means something.
 * Resource suites run on it and on the local endpoint through describeOnEndpoints (./endpoints.ts).
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as net from "node:net";

export interface Endpoint {
    /** e.g. `http://127.0.0.1:40123` */
    url: string;
    stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

function motoCommand(): string {
    const probe = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
    if (probe.status !== 0) {
        throw new Error("moto_server is not on PATH: run `make setup` (it installs moto[server] with pip)");
    }
    return "moto_server";
}

/** Polls until the server answers HTTP, for at most `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            await fetch(url, { method: "GET" });
            return;
        } catch (e) {
            lastError = e;
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    throw new Error(`endpoint ${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts a fresh moto_server (empty state) on a free loopback port. */
export async function startMoto(): Promise<Endpoint> {
    const port = await freePort();
    const child: ChildProcess = spawn(motoCommand(), ["-H", "127.0.0.1", "-p", String(port)], {
        stdio: ["ignore", "ignore", "pipe"],
        detached: false,
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
        stderr = (stderr + d.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
        await waitForHttp(`${url}/moto-api/`);
    } catch (e) {
        child.kill("SIGKILL");
        throw new Error(`moto_server did not start: ${String(e)}\n${stderr}`, { cause: e });
    }
    return {
        url,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 3000).unref();
            }),
    };
}

/**
 * Points the AWS SDK (and so the provider code under test) at `url` with dummy credentials.
 * Returns a function that restores the previous environment.
 */
export function useEndpoint(url: string, region = "us-east-1"): () => void {
    const keys = [
        "AWS_ENDPOINT_URL_ECR",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ];
    const saved = new Map(keys.map((k) => [k, process.env[k]]));
    process.env.AWS_ENDPOINT_URL_ECR = url;
    process.env.AWS_REGION = region;
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    delete process.env.AWS_SESSION_TOKEN;
    return () => {
        for (const [k, v] of saved) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    };
}

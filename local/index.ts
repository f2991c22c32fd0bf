/**
 * A local Amazon ECR endpoint: the ECR JSON API and, next to it, the OCI registry that `docker`,
 * `skopeo` or `crane` push to and pull from, sharing one store. Any AWS SDK or the AWS CLI talks
 * to it with an endpoint override; OCI clients log in with the password from
 * GetAuthorizationToken.
 *
 * @example
 * ```ts
 * import { startLocalEcr } from "pulumi-ecr/local";
 * const ecr = await startLocalEcr({ port: 0 });
 * const client = new ECRClient({ endpoint: ecr.url, region: "us-east-1" });
 * // ...
 * await ecr.stop();
 * ```
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiContext, EndpointConfig } from "./context";
import { Tokens } from "./auth";
import { type FaultOptions, Faults, parseFaults } from "./faults";
import { createHandler, type RequestLogger } from "./server";
import { Store } from "./store";

export type { FaultOptions } from "./faults";
export { parseFaults };

/** Options of {@link startLocalEcr}. */
export interface LocalEcrOptions {
    /** TCP port to listen on; 0 picks a free one. @default 0 */
    port?: number;
    /** Interface to listen on. @default "127.0.0.1" */
    host?: string;
    /** Keep state in this directory (created if missing) so that it survives a restart. @default state in memory */
    dataDir?: string;
    /** Region this endpoint serves; requests signed for another region are refused. @default "us-east-1" */
    region?: string;
    /** Account id, i.e. the registry id. @default "000000000000" */
    accountId?: string;
    /** Fault knobs for tests. @default no faults */
    faults?: FaultOptions;
    /** Called with one line per request. @default no logging */
    log?: RequestLogger;
}

/** A running local endpoint. */
export interface LocalEcr {
    /** Endpoint URL for SDKs and the AWS CLI (`--endpoint-url`), e.g. `http://127.0.0.1:4510`. */
    url: string;
    /** `host:port` of the registry side; every `repositoryUri` starts with it. */
    registryHost: string;
    /** The port actually bound. */
    port: number;
    /** Counts of injected faults so far. */
    faultsInjected(): { throttle: number; error: number; reset: number; lostReply: number };
    /** Stops listening and closes open connections. */
    stop(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/** Starts a local ECR endpoint and resolves once it accepts connections. */
export async function startLocalEcr(options: LocalEcrOptions = {}): Promise<LocalEcr> {
    const host = options.host ?? "127.0.0.1";
    const region = options.region ?? "us-east-1";
    const accountId = options.accountId ?? "000000000000";
    if (!/^[0-9]{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits, got '${accountId}'`);
    const store = new Store(options.dataDir);
    const faults = new Faults(options.faults);
    const server = http.createServer();
    // Large layer parts and slow clients: no per-request timeout, as with a real service.
    server.requestTimeout = 0;
    // Outlive the SDKs' pooled connections, so a request never races the server closing an idle socket.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    const reachableHost = WILDCARD_HOSTS.has(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    const registryHost = `${reachableHost}:${port}`;
    const config: EndpointConfig = { accountId, region, url: `http://${registryHost}`, registryHost };
    const ctx: ApiContext = { store, config, tokens: new Tokens(store.secret), faults };
    server.on("request", createHandler(ctx, options.log));
    let stopped: Promise<void> | undefined;
    return {
        url: config.url,
        registryHost,
        port,
        faultsInjected: () => ({ ...faults.injected }),
        stop: () =>
            (stopped ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            })),
    };
}

/**
 * Runs one integration suite against each ECR endpoint over HTTP: moto (the independent peer) and
 * the project's local endpoint (which, unlike moto, checks what ECR checks). Each is started on a
 * free loopback port, the provider is pointed at it (AWS_ENDPOINT_URL_ECR, dummy credentials, fresh
 * clients), and the suite's title names the endpoint.
 *
 * @example
 * ```ts
 * describeOnEndpoints("Repository", (ep) => {
 *     it("creates", async () => { await ep.ecr().send(...); });
 * });
 * // An operation moto lacks: run on the local endpoint only, and say why.
 * describeOnEndpoints("Registry settings", { only: ["local"], because: "moto has no account settings" }, (ep) => { ... });
 * ```
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { type FaultOptions, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import type { DivergenceId } from "../conformance/divergences";
import { type PushedImage, pushImage as pushImageFixture } from "../conformance/fixtures";
import { startMoto, useEndpoint } from "./moto";
import { sweep } from "./names";

/** The endpoints every resource suite runs against. */
export const ENDPOINT_NAMES = ["moto", "local"] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** Where an endpoint differs from ECR in a way a resource suite's fixtures must work around (ids of KNOWN_DIVERGENCES, which the conformance suite keeps true). */
const ENDPOINT_DIVERGENCES: Record<EndpointName, readonly DivergenceId[]> = {
    moto: ["layerOperations", "putImageLayersNotFound", "imageDigest"],
    local: [],
};

/** One running endpoint, as a suite sees it. Values other than `name` are available from `before` hooks on. */
export interface TestEndpoint {
    /** "moto" or "local", also in the suite's title. */
    readonly name: EndpointName;
    /** e.g. `http://127.0.0.1:40123`; the provider's clients already point here. */
    readonly url: string;
    /** An independent client for arranging and asserting through the API (not the provider's). */
    ecr(): ECRClient;
    /** Whether this endpoint differs from ECR as `KNOWN_DIVERGENCES[id]` says. */
    diverges(id: DivergenceId): boolean;
    /**
     * Pushes a small real image into `repositoryName`: its config and layer blobs through the layer
     * API, then the manifest with PutImage, as ECR requires. On moto, which has no layer operations
     * (`KNOWN_DIVERGENCES.layerOperations`), the blob upload is impossible and is skipped; moto
     * accepts the manifest without them (`putImageLayersNotFound`). That is the only difference.
     */
    pushImage(repositoryName: string, opts?: { tag?: string; label?: string }): Promise<PushedImage>;
}

/** Runs a suite on a subset of the endpoints; `because` says why the others cannot run it. */
export interface OnlyOn {
    only: readonly EndpointName[];
    because: string;
    /** Fault knobs of the local endpoint for this suite (e.g. `{ repositoryVisibilityDelayMs: 2000 }`). @default no faults */
    localFaults?: FaultOptions;
}

interface Running {
    url: string;
    stop(): Promise<void>;
}

async function start(name: EndpointName, faults?: FaultOptions): Promise<Running> {
    if (name === "moto") return startMoto();
    const local = await startLocalEcr({ port: 0, faults });
    return { url: local.url, stop: () => local.stop() };
}

/**
 * Declares `describe("<title> (integration, <endpoint> over HTTP)")` once per endpoint, each with its
 * own fresh endpoint for the whole suite; at the end, leftovers are swept and the endpoint stopped.
 */
export function describeOnEndpoints(title: string, suite: (ep: TestEndpoint) => void): void;
export function describeOnEndpoints(title: string, only: OnlyOn, suite: (ep: TestEndpoint) => void): void;
export function describeOnEndpoints(title: string, a: OnlyOn | ((ep: TestEndpoint) => void), b?: (ep: TestEndpoint) => void): void {
    const only = typeof a === "function" ? undefined : a;
    const suite = typeof a === "function" ? a : b!;
    if (only) {
        if (!only.because.trim())
            throw new Error(`describeOnEndpoints("${title}"): say why the suite runs only on ${only.only.join(", ")}`);
        const unknown = only.only.filter((n) => !ENDPOINT_NAMES.includes(n));
        if (only.only.length === 0 || unknown.length)
            throw new Error(`describeOnEndpoints("${title}"): unknown endpoints ${unknown.join(", ")}`);
    }
    for (const name of ENDPOINT_NAMES) {
        if (only && !only.only.includes(name)) continue;
        describe(`${title} (integration, ${name} over HTTP${only ? `, only here: ${only.because}` : ""})`, function () {
            let running: Running | undefined;
            let restore: (() => void) | undefined;
            let client: ECRClient | undefined;
            const ready = <T>(v: T | undefined): T => {
                if (v === undefined)
                    throw new Error(`describeOnEndpoints("${title}"): the ${name} endpoint is used before the suite's before() hook`);
                return v;
            };
            const ep: TestEndpoint = {
                name,
                get url() {
                    return ready(running).url;
                },
                ecr: () => ready(client),
                diverges: (id) => ENDPOINT_DIVERGENCES[name].includes(id),
                pushImage: (repositoryName, opts = {}) =>
                    pushImageFixture(ready(client), repositoryName, { ...opts, uploadBlobs: !ep.diverges("layerOperations") }),
            };
            before(async function () {
                this.timeout(60_000);
                running = await start(name, only?.localFaults);
                restore = useEndpoint(running.url);
                resetClients();
                client = new ECRClient({
                    endpoint: running.url,
                    region: "us-east-1",
                    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
                });
            });
            after(async function () {
                this.timeout(60_000);
                if (client) await sweep(client);
                client?.destroy();
                resetClients();
                restore?.();
                await running?.stop();
            });
            suite(ep);
        });
    }
}

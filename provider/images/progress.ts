/**
 * Push progress where the person running `pulumi up` sees it: on the resource's own line of the
 * update display, as the engine's log messages attached to the resource's URN.
 *
 * The dynamic-provider host does not connect `pulumi.log` to the engine (pulumi/pulumi#6065,
 * #18249): it receives the engine's address as its first argument but never hands it to the
 * runtime, so `pulumi.log` falls back to the provider's stdout, which the engine shows only as a
 * message of the stack. Here the address is handed over, once, so that messages go through the
 * engine's Log RPC with the resource's URN (passed in by the SDK class as `__urn`). Intermediate
 * reports are ephemeral (shown live, not kept in the summary); the final one stays.
 */
import type { PushProgress } from "./push";

/** Reports at most every this many ms, or each 10% step, whichever comes first. */
const INTERVAL_MS = 2_000;
const STEP = 0.1;

type Logger = (msg: string, ephemeral: boolean) => void;

let engineReady: boolean | undefined;

/** True in the dynamic-provider host (its script is `@pulumi/pulumi/cmd/dynamic-provider`). */
const inProviderHost = () => /dynamic-provider/.test(process.argv[1] ?? "");

/** True inside the dynamic-provider host once `pulumi.log` is connected to the engine. */
function connectEngine(): boolean {
    if (engineReady !== undefined) return engineReady;
    engineReady = false;
    const addr = process.argv[2];
    if (!inProviderHost() || !addr || !/^[\w.[\]:-]+:\d+$/.test(addr)) return false;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const state = require("@pulumi/pulumi/runtime/state");
        const options = state.getStore().settings.options;
        options.engineAddr ??= addr;
        engineReady = true;
    } catch {
        engineReady = false;
    }
    return engineReady;
}

function engineLogger(urn: string | undefined): Logger | undefined {
    if (!connectEngine()) {
        // Should the runtime's internals change: the host's stdout still reaches the engine, as a
        // message of the stack rather than of this resource. Only the lasting lines, then.
        return inProviderHost() ? (msg, ephemeral) => (ephemeral ? undefined : console.log(msg)) : undefined;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi");
    const resource = urn ? { urn: { promise: () => Promise.resolve(urn) } } : undefined;
    return (msg, ephemeral) => {
        pulumi.log.info(msg, resource, undefined, ephemeral).catch(() => undefined);
    };
}

const mb = (n: number) => (n / 1e6).toFixed(1);

/** One line of progress text; exported for tests. */
export function formatProgress(label: string, p: PushProgress, elapsedMs: number, done: boolean): string {
    const rate = elapsedMs > 0 ? ` at ${mb((p.bytesUploaded / elapsedMs) * 1000)} MB/s` : "";
    const skipped = p.layersSkipped ? `, ${p.layersSkipped} already in ECR` : "";
    if (done) {
        return `pushed ${label}: ${mb(p.bytesUploaded)} MB in ${p.layersUploaded} layers${skipped}, ${(elapsedMs / 1000).toFixed(1)} s${rate}`;
    }
    return `pushing ${label}: ${mb(p.bytesUploaded)}/${mb(p.bytesTotal)} MB, ${p.layersUploaded}/${p.layersTotal} layers${skipped}${rate}`;
}

/**
 * A throttled progress callback for one push; call it with `undefined` when the blobs are done.
 * Silent outside the dynamic-provider host (tests, scripts) unless `log` is given.
 */
export function progressReporter(label: string, urn?: string, log?: Logger): (p: PushProgress | undefined) => void {
    const out = log ?? engineLogger(urn);
    const started = Date.now();
    let lastAt = 0;
    let lastShare = 0;
    let last: PushProgress | undefined;
    return (p) => {
        if (!out) return;
        if (p === undefined) {
            if (last && last.layersTotal + last.layersSkipped > 0) out(formatProgress(label, last, Date.now() - started, true), false);
            return;
        }
        last = p;
        const now = Date.now();
        const share = p.bytesTotal > 0 ? p.bytesUploaded / p.bytesTotal : 1;
        if (now - lastAt >= INTERVAL_MS || share - lastShare >= STEP) {
            lastAt = now;
            lastShare = share;
            out(formatProgress(label, p, now - started, false), true);
        }
    };
}

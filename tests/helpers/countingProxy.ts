/**
 * A loopback HTTP proxy in front of an ECR endpoint (moto or the local endpoint) that records
 * every API request: its operation (from `X-Amz-Target`) and its JSON body. Tests assert how many
 * calls a data source made and what it asked for (page size, filter), not just what came back.
 *
 * Requests are forwarded byte for byte, `Host` header included, so SigV4 signatures made for the
 * proxy's address still verify at the endpoint behind it.
 */
import * as http from "node:http";
import { forward, listenOnLoopback } from "./loopbackProxy";

export interface RecordedCall {
    operation: string;
    body: any;
}

/** An ECR error the proxy answers with instead of forwarding (JSON 1.1, as ECR renders errors). */
export interface InjectedError {
    /** HTTP status: 400 for client errors (not retried), 500 for ServerException (retried by the SDK). */
    status: number;
    /** The exception name, e.g. "AccessDeniedException". */
    type: string;
    message: string;
}

export interface CountingProxy {
    /** `http://127.0.0.1:<port>`: point AWS_ENDPOINT_URL_ECR here. */
    url: string;
    /** Every API call since the last `reset()`, in order. */
    calls(): RecordedCall[];
    /** Calls per operation since the last `reset()`. */
    counts(): Record<string, number>;
    /** Calls of one operation since the last `reset()`. */
    count(operation: string): number;
    reset(): void;
    /** Answers the next `times` calls of `operation` with `error` (still recorded), instead of forwarding them. */
    failNext(operation: string, times: number, error: InjectedError): void;
    stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
    const to = new URL(target);
    let calls: RecordedCall[] = [];
    const failures = new Map<string, { times: number; error: InjectedError }>();
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            const targetHeader = String(req.headers["x-amz-target"] ?? "");
            if (targetHeader) {
                let parsed: unknown;
                try {
                    parsed = body.length ? JSON.parse(body.toString("utf8")) : {};
                } catch {
                    parsed = body.toString("utf8");
                }
                const operation = targetHeader.slice(targetHeader.lastIndexOf(".") + 1);
                calls.push({ operation, body: parsed });
                const failure = failures.get(operation);
                if (failure && failure.times > 0) {
                    failure.times--;
                    res.writeHead(failure.error.status, { "content-type": "application/x-amz-json-1.1" });
                    res.end(JSON.stringify({ __type: failure.error.type, message: failure.error.message }));
                    return;
                }
            }
            forward(to, req, res, "counting proxy", body);
        });
    });
    const { url, stop } = await listenOnLoopback(server);
    return {
        url,
        calls: () => [...calls],
        counts: () => calls.reduce<Record<string, number>>((m, c) => ((m[c.operation] = (m[c.operation] ?? 0) + 1), m), {}),
        count: (op) => calls.filter((c) => c.operation === op).length,
        reset: () => {
            calls = [];
        },
        failNext: (operation, times, error) => {
            failures.set(operation, { times, error });
        },
        stop,
    };
}

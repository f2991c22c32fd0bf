/**
 * The HTTP server: routes each request to the JSON API (POST with `X-Amz-Target`), the registry
 * side (`/v2/...`) or a layer download (`/_layers/...`), checks SigV4 on the API, applies the
 * fault knobs, and renders errors the way ECR does (JSON 1.1 `__type` + `message`).
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import { type ApiContext, OPERATIONS } from "./api";
import { checkSigV4 } from "./auth";
import { EcrError } from "./errors";
import { handleLayerDownload, handleRegistry, readBody } from "./registry";

const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
/** Large enough for a 20 MiB layer part in base64 plus the rest of the request. */
const MAX_API_BODY = 64 * 1024 * 1024;

export type RequestLogger = (line: string) => void;

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": data.length,
        "x-amzn-RequestId": crypto.randomUUID(),
        ...extra,
    });
    res.end(data);
}

function sendApiError(res: http.ServerResponse, e: EcrError): void {
    sendJson(res, e.status, { __type: e.type, message: e.message, ...e.fields }, { "x-amzn-ErrorType": e.type });
}

async function handleApi(ctx: ApiContext, req: http.IncomingMessage, res: http.ServerResponse, log?: RequestLogger): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const started = Date.now();
    let outcome = "200";
    try {
        const body = await readBody(req, MAX_API_BODY).catch(() => {
            throw new EcrError("SerializationException", `Request body exceeds ${MAX_API_BODY} bytes`);
        });
        checkSigV4(req.headers, ctx.config.region);
        const op = target.startsWith(TARGET_PREFIX) ? OPERATIONS[operation] : undefined;
        if (!op) throw new EcrError("UnknownOperationException", `ecr-local does not serve operation '${target}'`);
        const fault = ctx.faults.decide(operation);
        if (fault === "reset") {
            outcome = "reset";
            req.socket.destroy();
            return;
        }
        if (fault === "throttle") throw new EcrError("ThrottlingException", "Rate exceeded");
        if (fault === "error") throw new EcrError("ServerException", "We encountered an internal error. Please try again. (injected fault)", 500);
        let input: unknown;
        try {
            input = body.length ? JSON.parse(body.toString("utf8")) : {};
        } catch {
            throw new EcrError("SerializationException", "Start of structure or map found where not expected");
        }
        if (typeof input !== "object" || input === null || Array.isArray(input)) {
            throw new EcrError("SerializationException", "The request body must be a JSON object");
        }
        sendJson(res, 200, op(ctx, input as Record<string, unknown>));
    } catch (e) {
        const err =
            e instanceof EcrError ? e : new EcrError("ServerException", `Internal error: ${e instanceof Error ? e.message : String(e)}`, 500);
        if (!(e instanceof EcrError)) process.stderr.write(`ecr-local: ${operation} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        outcome = `${err.status} ${err.type}`;
        sendApiError(res, err);
    } finally {
        log?.(`${operation} ${outcome} ${Date.now() - started}ms`);
    }
}

/** Creates the request listener for one endpoint. */
export function createHandler(ctx: ApiContext, log?: RequestLogger): http.RequestListener {
    return (req, res) => {
        const url = new URL(req.url ?? "/", "http://local");
        let work: Promise<void> | void = undefined;
        if (req.method === "POST" && req.headers["x-amz-target"] !== undefined) {
            work = handleApi(ctx, req, res, log);
        } else if (url.pathname === "/v2" || url.pathname.startsWith("/v2/")) {
            work = handleRegistry(ctx, req, res, url).finally(() => log?.(`${req.method} ${url.pathname} ${res.statusCode}`));
        } else if (url.pathname.startsWith("/_layers/")) {
            work = handleLayerDownload(ctx, req, res, url);
        } else if (req.method === "GET" && url.pathname === "/") {
            // A plain GET answers, so that scripts can poll for readiness.
            sendJson(res, 200, { service: "ecr-local", region: ctx.config.region, registryId: ctx.config.accountId });
        } else {
            req.resume();
            sendApiError(res, new EcrError("UnknownOperationException", `No route for ${req.method} ${url.pathname}`, 404));
        }
        Promise.resolve(work).catch((e: unknown) => {
            process.stderr.write(`ecr-local: ${req.method} ${url.pathname} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
            if (!res.headersSent) {
                res.writeHead(500, { "Content-Type": "text/plain" });
                res.end("internal error\n");
            } else {
                res.destroy();
            }
        });
    };
}

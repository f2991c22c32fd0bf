/**
 * The HTTP server: routes each request to the JSON API (POST with `X-Amz-Target`), the registry
 * side (`/v2/...`) or a layer download (`/_layers/...`), checks SigV4 on the API, applies the
 * fault knobs (a lost reply applies the call before it cuts the connection), and renders errors the way ECR does (JSON 1.1 `__type` + `message`).
 */
import * as http from "node:http";
import { checkSigV4 } from "./auth";
import type { ApiContext } from "./context";
import { handleLayerDownload, handleRegistry } from "./distribution";
import { EcrException } from "./exceptions";
import { BodyTooLargeError, operationName, parseLayerPartRequest, parseRequest, readBody, sendException, sendJson } from "./http";
import { OPERATIONS } from "./operations";

/** Large enough for a 20 MiB layer part in base64 plus the rest of the request. */
const MAX_API_BODY = 64 * 1024 * 1024;

/** Receives one line per request. */
export type RequestLogger = (line: string) => void;

async function handleApi(ctx: ApiContext, req: http.IncomingMessage, res: http.ServerResponse, log?: RequestLogger): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = operationName(target) ?? target;
    const started = Date.now();
    let outcome = "200";
    try {
        const body = await readBody(req, MAX_API_BODY).catch((e: unknown) => {
            if (e instanceof BodyTooLargeError)
                throw new EcrException("SerializationException", `Request body exceeds ${MAX_API_BODY} bytes`);
            throw e;
        });
        checkSigV4(req.headers, ctx.config.region);
        // Own properties only: a target such as `...V20150921.toString` names no operation.
        const op = operationName(target) !== undefined && Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
        if (!op) throw new EcrException("UnknownOperationException", `ecr-local does not serve operation '${target}'`);
        const fault = ctx.faults.decide(operation);
        if (fault === "reset") {
            outcome = "reset";
            req.socket.destroy();
            return;
        }
        if (fault === "throttle") throw new EcrException("ThrottlingException", "Rate exceeded");
        if (fault === "error")
            throw new EcrException("ServerException", "We encountered an internal error. Please try again. (injected fault)", 500);
        const result = op(ctx, operation === "UploadLayerPart" ? parseLayerPartRequest(body) : parseRequest(body));
        if (fault === "lostReply") {
            // Applied, then the connection is cut before any byte of the reply: the client cannot tell it from a reset.
            outcome = "applied, reply lost";
            ctx.faults.injected.lostReply++;
            req.socket.destroy();
            return;
        }
        sendJson(res, 200, result);
    } catch (e) {
        const err =
            e instanceof EcrException
                ? e
                : new EcrException("ServerException", `Internal error: ${e instanceof Error ? e.message : String(e)}`, 500);
        if (!(e instanceof EcrException))
            process.stderr.write(`ecr-local: ${operation} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        outcome = `${err.status} ${err.type}`;
        sendException(res, err);
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
            sendException(res, new EcrException("UnknownOperationException", `No route for ${req.method} ${url.pathname}`, 404));
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

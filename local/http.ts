/**
 * Request/response plumbing of the JSON API (AWS JSON 1.1): reading a body within a limit, the
 * `X-Amz-Target` prefix, parsing the request object, and rendering results and exceptions the
 * way ECR does (`__type` + `message`). Nothing here knows ECR's rules.
 */
import * as crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EcrException } from "./exceptions";

/** `X-Amz-Target` is this prefix followed by the operation name. */
export const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";

/** Thrown by {@link readBody} when a body is larger than allowed; each side maps it to its own error. */
export class BodyTooLargeError extends Error {
    constructor(readonly limit: number) {
        super(`request body exceeds ${limit} bytes`);
    }
}

/** Reads a whole request body, refusing more than `limit` bytes with {@link BodyTooLargeError}. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > limit) throw new BodyTooLargeError(limit);
        chunks.push(b);
    }
    return Buffer.concat(chunks);
}

/** The operation an `X-Amz-Target` names, or `undefined` when it lacks ECR's prefix. */
export function operationName(target: string): string | undefined {
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

/** The request object of a JSON 1.1 body (an empty body is `{}`), or `SerializationException`. */
export function parseRequest(body: Buffer): Record<string, unknown> {
    let input: unknown;
    try {
        input = body.length ? JSON.parse(body.toString("utf8")) : {};
    } catch {
        throw new EcrException("SerializationException", "Start of structure or map found where not expected");
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw new EcrException("SerializationException", "The request body must be a JSON object");
    }
    return input as Record<string, unknown>;
}

const PART_KEY = Buffer.from('"layerPartBlob":"');

/**
 * UploadLayerPart's request object, with `layerPartBlob` already decoded to a Buffer. The body is
 * JSON around one base64 string as long as the part (4/3 of it), and JSON.parse of that string
 * cost more than everything else the endpoint does with a part (see `make bench-images`). So the
 * string is cut out of the bytes and decoded directly, and the small rest is parsed as JSON. A
 * value with an escape in it (no encoder writes one in base64, but JSON allows `\/`) takes the
 * plain path.
 */
export function parseLayerPartRequest(body: Buffer): Record<string, unknown> {
    const at = body.indexOf(PART_KEY);
    const start = at + PART_KEY.length;
    const end = at >= 0 ? body.indexOf(0x22, start) : -1; // the closing quote
    if (at < 0 || end < 0 || body.subarray(start, end).includes(0x5c)) return parseRequest(body);
    const rest = parseRequest(Buffer.concat([body.subarray(0, start), body.subarray(end)]));
    rest.layerPartBlob = Buffer.from(body.toString("latin1", start, end), "base64");
    return rest;
}

/** Sends a JSON 1.1 response with a fresh request id. */
export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": data.length,
        "x-amzn-RequestId": crypto.randomUUID(),
        ...extra,
    });
    res.end(data);
}

/** Sends an exception as ECR does, so that the SDK raises its typed exception class. */
export function sendException(res: ServerResponse, e: EcrException): void {
    sendJson(res, e.status, { __type: e.type, message: e.message, ...e.fields }, { "x-amzn-ErrorType": e.type });
}

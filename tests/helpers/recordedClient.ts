/**
 * A real ECRClient (real serialisation, signing and paginators) whose HTTP handler answers in
 * process from `respond` and records each request: for unit tests of paths no endpoint over
 * HTTP can show, such as talking to AWS itself (no endpoint override). Nothing leaves the process.
 */
import { Readable } from "node:stream";
import { ECRClient } from "@aws-sdk/client-ecr";

export interface RecordedRequest {
    operation: string;
    host: string;
    body: any;
}

/** What `respond` returns: a response body, or an AWS error by name. */
export type Answer = { body: unknown } | { error: string; message?: string };

export function recordedClient(
    region: string,
    respond: (operation: string, body: any) => Answer,
): { client: ECRClient; requests: RecordedRequest[] } {
    const requests: RecordedRequest[] = [];
    const client = new ECRClient({
        region,
        maxAttempts: 1,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        requestHandler: {
            handle: async (req: any) => {
                const target = String(req.headers["x-amz-target"] ?? "");
                const operation = target.slice(target.lastIndexOf(".") + 1);
                const text =
                    req.body === undefined
                        ? "{}"
                        : typeof req.body === "string"
                          ? req.body
                          : new TextDecoder().decode(Uint8Array.from(req.body as Uint8Array));
                const body = JSON.parse(text || "{}");
                requests.push({ operation, host: req.hostname, body });
                const answer = respond(operation, body);
                const [status, payload] =
                    "error" in answer ? [400, { __type: answer.error, message: answer.message ?? answer.error }] : [200, answer.body];
                return {
                    response: {
                        statusCode: status,
                        headers: {
                            "content-type": "application/x-amz-json-1.1",
                            ...("error" in answer ? { "x-amzn-errortype": answer.error } : {}),
                        },
                        body: Readable.from([Buffer.from(JSON.stringify(payload))]),
                    },
                };
            },
        } as any,
    });
    return { client, requests };
}

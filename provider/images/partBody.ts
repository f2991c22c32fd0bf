/**
 * A faster body for UploadLayerPart. ECR's JSON API carries each layer part as base64 inside the
 * JSON body, and the AWS SDK's serializer encodes blobs with a JavaScript byte loop (about
 * 200 MB/s here), which made the client the slowest stage of a push. This middleware takes the
 * part out of the command's input before serialization and splices it into the serialized body
 * with Node's native base64 encoder (about 2 GB/s), before the body is measured and signed. The
 * bytes on the wire are the same JSON the SDK would have written.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";

const FIELD = "layerPartBlob";
/**
 * Where the part waits between the two steps: a key of the per-request handler context. A plain
 * string, and no module-level state (no WeakSet of installed clients): a provider stored by value
 * gets copies of module values from Pulumi's closure serializer, which does not rebuild those.
 */
const PARTS = "__pulumiEcrLayerPart";
/** Bytes encoded at a time: a multiple of 3, so the slices' base64 joins up without padding. */
const SLICE = 3 * 16 * 1024;

/** Installs the middleware on `client` (idempotent: installing again replaces it, by name). */
export function useNativeLayerPartEncoding(client: ECRClient): void {
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const input = args.input as Record<string, unknown>;
            const blob = input?.[FIELD];
            if (context.commandName !== "UploadLayerPartCommand" || !(blob instanceof Uint8Array) || blob.length === 0) return next(args);
            (context as Record<string, unknown>)[PARTS] = blob;
            return next({ ...args, input: { ...input, [FIELD]: new Uint8Array(0) } });
        },
        { step: "initialize", name: "pulumiEcrLayerPartTake", priority: "low", override: true },
    );
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const blob = (context as Record<string, unknown>)[PARTS] as Uint8Array | undefined;
            const request = args.request as { body?: unknown; headers?: Record<string, string> };
            if (!blob || !request || request.body === undefined) return next(args);
            // The serialized JSON (a string, or bytes from the SDK's byte-level serializer), with `"layerPartBlob":""` in it.
            const raw = request.body;
            const body =
                typeof raw === "string"
                    ? Buffer.from(raw, "utf8")
                    : Buffer.from((raw as Uint8Array).buffer, (raw as Uint8Array).byteOffset, (raw as Uint8Array).byteLength);
            const part = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
            const b64Length = Math.ceil(part.length / 3) * 4;
            const empty = Buffer.from(`"${FIELD}":""`);
            const found = body.indexOf(empty);
            // Where the base64 goes: between the empty value's quotes, else as a last member.
            const head =
                found >= 0
                    ? body.subarray(0, found + empty.length - 1)
                    : Buffer.concat([body.subarray(0, body.lastIndexOf("}")), Buffer.from(`,"${FIELD}":"`)]);
            const tail = found >= 0 ? body.subarray(found + empty.length - 1) : Buffer.from('"}');
            // One allocation for the body; the part is encoded in slices of whole 3-byte groups, so
            // the strings stay small (young-generation garbage) instead of one string as big as the body.
            const out = Buffer.allocUnsafe(head.length + b64Length + tail.length);
            head.copy(out, 0);
            let at = head.length;
            for (let i = 0; i < part.length; i += SLICE)
                at += out.write(part.toString("base64", i, Math.min(i + SLICE, part.length)), at, "latin1");
            tail.copy(out, at);
            request.body = out;
            if (request.headers) {
                for (const k of Object.keys(request.headers)) if (k.toLowerCase() === "content-length") delete request.headers[k];
            }
            return next(args);
        },
        // Before the content length is set and the request is signed (both later in build/finalize).
        { step: "build", name: "pulumiEcrLayerPartSplice", priority: "high", override: true },
    );
}

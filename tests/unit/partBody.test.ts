/**
 * The native layer-part encoding (provider/images/partBody.ts) must put exactly the bytes on the
 * wire that the AWS SDK's own serializer writes, with a matching Content-Length, for parts of every
 * size remainder; other commands pass through untouched. Requests are captured before sending.
 * And ecr-local's fast UploadLayerPart parse must read exactly what JSON.parse would.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { DescribeRepositoriesCommand, ECRClient, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { parseLayerPartRequest, parseRequest } from "../../local/http";
import { useNativeLayerPartEncoding } from "../../provider/images/partBody";

/** A client whose requests stop just before signing-independent transport, recording body and headers. */
function capturingClient(native: boolean): { client: ECRClient; sent: { body: Buffer; headers: Record<string, string> }[] } {
    const client = new ECRClient({
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9",
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
        maxAttempts: 1,
    });
    if (native) useNativeLayerPartEncoding(client);
    const sent: { body: Buffer; headers: Record<string, string> }[] = [];
    client.middlewareStack.add(
        () => async (args) => {
            const req = args.request as { body: string | Uint8Array; headers: Record<string, string> };
            sent.push({ body: Buffer.from(req.body as any), headers: { ...req.headers } });
            return { response: { statusCode: 200, headers: {}, body: undefined } as any, output: { $metadata: {} } as any };
        },
        { step: "finalizeRequest", name: "capture", priority: "low" },
    );
    return { client, sent };
}

describe("native layer-part encoding", () => {
    for (const size of [1, 2, 3, 1000, 5 * 1024 * 1024 + 1]) {
        it(`writes the SDK's exact body for a ${size}-byte part`, async () => {
            const part = crypto.randomBytes(size);
            const input = {
                repositoryName: "team/app",
                uploadId: "u-1",
                partFirstByte: 10,
                partLastByte: 10 + size - 1,
                layerPartBlob: part,
            };
            const sdk = capturingClient(false);
            const fast = capturingClient(true);
            await sdk.client.send(new UploadLayerPartCommand(input)).catch(() => undefined);
            await fast.client.send(new UploadLayerPartCommand(input)).catch(() => undefined);
            assert.equal(sdk.sent.length, 1);
            assert.equal(fast.sent.length, 1);
            assert.ok(fast.sent[0].body.equals(sdk.sent[0].body), "same bytes as the SDK's serializer");
            assert.equal(fast.sent[0].headers["content-length"], String(sdk.sent[0].body.length));
            assert.equal(Buffer.from(JSON.parse(fast.sent[0].body.toString()).layerPartBlob, "base64").equals(part), true);
        });
    }

    it("leaves other commands alone and installs once", async () => {
        const fast = capturingClient(true);
        useNativeLayerPartEncoding(fast.client);
        await fast.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["a"] })).catch(() => undefined);
        assert.deepEqual(JSON.parse(fast.sent[0].body.toString()), { repositoryNames: ["a"] });
    });
});

describe("ecr-local: UploadLayerPart bodies decoded from the bytes", () => {
    const asPlain = (body: Buffer) => {
        const plain = parseRequest(body);
        if (typeof plain.layerPartBlob === "string") plain.layerPartBlob = Buffer.from(plain.layerPartBlob, "base64");
        return plain;
    };

    it("gives the same request object as JSON.parse plus base64 decoding, wherever the field sits", () => {
        const part = crypto.randomBytes(100_003);
        const b64 = part.toString("base64");
        const bodies = [
            `{"repositoryName":"a","uploadId":"u","partFirstByte":0,"partLastByte":100002,"layerPartBlob":"${b64}"}`,
            `{"layerPartBlob":"${b64}","repositoryName":"a","uploadId":"u"}`,
            `{ "repositoryName" : "a", "layerPartBlob":"${b64}" , "registryId": "000000000000" }`,
        ];
        for (const text of bodies) {
            const body = Buffer.from(text);
            const fast = parseLayerPartRequest(body);
            assert.deepEqual(fast, asPlain(body));
            assert.ok((fast.layerPartBlob as Buffer).equals(part));
        }
    });

    it("takes the plain path for an escaped value or a missing field, and refuses what parseRequest refuses", () => {
        const escaped = Buffer.from(`{"repositoryName":"a","layerPartBlob":"AAEC\\/w=="}`);
        assert.deepEqual(parseLayerPartRequest(escaped), parseRequest(escaped));
        const missing = Buffer.from(`{"repositoryName":"a"}`);
        assert.deepEqual(parseLayerPartRequest(missing), { repositoryName: "a" });
        assert.throws(() => parseLayerPartRequest(Buffer.from(`{"layerPartBlob":"AAAA"`)), /SerializationException|Start of structure/);
    });
});

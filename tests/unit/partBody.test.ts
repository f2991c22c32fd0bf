/**
 * The native layer-part encoding (provider/images/partBody.ts) must put exactly the bytes on the
 * wire that the AWS SDK's own serializer writes, with a matching Content-Length, for parts of every
 * size remainder; other commands pass through untouched. Requests are captured before sending.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { DescribeRepositoriesCommand, ECRClient, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { useNativeLayerPartEncoding } from "../../provider/images/partBody";

/** A client whose requests stop just before signing-independent transport, recording body and headers. */
function capturingClient(native: boolean): { client: ECRClient; sent: { body: Buffer; headers: Record<string, string> }[] } {
    const client = new ECRClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
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
            const input = { repositoryName: "team/app", uploadId: "u-1", partFirstByte: 10, partLastByte: 10 + size - 1, layerPartBlob: part };
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

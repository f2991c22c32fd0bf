/**
 * One lifecycle vocabulary, two judges: every document of tests/conformance/lifecycleVocabulary.ts
 * goes to the provider's `check()` and to the local endpoint's PutLifecyclePolicy, and both must
 * accept the valid ones and refuse the invalid ones.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { check } from "../../provider/lifecyclePolicy";
import { client } from "../conformance/fixtures";
import { INVALID_LIFECYCLE_DOCUMENTS, type LifecycleDocument, VALID_LIFECYCLE_DOCUMENTS } from "../conformance/lifecycleVocabulary";
import { randomName } from "../helpers/names";

/**
 * Invalid documents the provider's `check()` still accepts (the local endpoint refuses them, as ECR
 * does), with the change `provider/` needs. Each entry is asserted to still be a gap, so this list
 * fails, and must shrink, once the provider is fixed.
 */
const PROVIDER_GAPS: Record<string, string> = {};

async function providerFailures(document: LifecycleDocument): Promise<string[]> {
    const out = await check!({}, { repository: "repo-a", policy: document, region: "us-east-1" });
    return (out.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

describe("lifecycle vocabulary: the provider's check() and the local endpoint agree", function () {
    this.timeout(60_000);
    let ecr: LocalEcr;
    let sdk: c.ECRClient;
    let repositoryName: string;

    before(async () => {
        ecr = await startLocalEcr({ port: 0 });
        sdk = client(ecr.url, "us-east-1", 1);
        repositoryName = randomName("lifecycle");
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName }));
    });
    after(async () => {
        sdk?.destroy();
        await ecr?.stop();
    });

    /** `undefined` when the local endpoint stores the document, else its refusal. */
    async function localRefusal(document: LifecycleDocument): Promise<string | undefined> {
        try {
            await sdk.send(new c.PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: JSON.stringify(document) }));
            return undefined;
        } catch (e) {
            assert.ok(
                e instanceof c.InvalidParameterException,
                `expected InvalidParameterException, got ${(e as Error).name}: ${(e as Error).message}`,
            );
            return e.message;
        }
    }

    it("lists no provider gap that is not an invalid case", () => {
        const names = new Set(INVALID_LIFECYCLE_DOCUMENTS.map((x) => x.name));
        assert.deepEqual(
            Object.keys(PROVIDER_GAPS).filter((n) => !names.has(n)),
            [],
        );
    });

    for (const { name, document } of VALID_LIFECYCLE_DOCUMENTS) {
        it(`both accept: ${name}`, async () => {
            assert.deepEqual(await providerFailures(document), [], "check() refused a valid document");
            assert.equal(await localRefusal(document), undefined, "the local endpoint refused a valid document");
        });
    }

    for (const { name, document, why } of INVALID_LIFECYCLE_DOCUMENTS) {
        it(`both refuse: ${name} (${why})`, async () => {
            const refusal = await localRefusal(document);
            assert.ok(refusal, "the local endpoint accepted an invalid document");
            assert.match(refusal, /Lifecycle policy validation failure|lifecyclePolicyText/);
            const failures = await providerFailures(document);
            if (PROVIDER_GAPS[name]) {
                assert.deepEqual(failures, [], `check() now refuses this document: drop "${name}" from PROVIDER_GAPS`);
            } else {
                assert.ok(failures.length > 0, "check() accepted an invalid document");
                assert.ok(
                    failures.every((f) => f.startsWith("policy: ")),
                    failures.join("; "),
                );
            }
        });
    }
});

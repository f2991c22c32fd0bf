/**
 * The ownership marker's logic and its error paths, with the ECR client stubbed (error paths no
 * endpoint can show on demand). The happy paths run against real endpoints in
 * tests/integration/lostReply.test.ts.
 */
import * as assert from "node:assert/strict";
import { ECRClient } from "@aws-sdk/client-ecr";
import * as repository from "../../provider/repository";

function stubSend(impl: (name: string, input: any) => unknown) {
    const original = ECRClient.prototype.send;
    const calls: string[] = [];
    (ECRClient.prototype as any).send = async function (command: { constructor: { name: string }; input: unknown }) {
        const name = command.constructor.name.replace(/Command$/, "");
        calls.push(name);
        return impl(name, command.input);
    };
    return { calls, restore: () => (ECRClient.prototype.send = original) };
}
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });
const ARN = "arn:aws:ecr:us-east-1:000000000000:repository/app-1234567";

describe("Repository ownership", () => {
    let stub: ReturnType<typeof stubSend> | undefined;
    afterEach(() => stub?.restore());

    const checked = async (news: Record<string, unknown>) => (await repository.check({}, news)).inputs as repository.RepositoryInputs;
    const id = (project: string, stack: string, name: string) => `organization/${project}/${stack}/ecr:Repository::${name}`;

    it("derives the same auto-name and token for the same resource of the same stack, in every run, and different ones otherwise", async () => {
        const a = await checked({ __autoNamePrefix: "app", __identity: id("p", "dev", "app") });
        const again = await checked({ __autoNamePrefix: "app", __identity: id("p", "dev", "app") });
        assert.equal(a.name, again.name);
        assert.equal(a.ownerToken, again.ownerToken);
        assert.match(a.name, /^app-[a-z0-9]{7}$/);
        for (const other of [id("p", "prod", "app"), id("q", "dev", "app"), id("p", "dev", "app2")]) {
            const o = await checked({ __autoNamePrefix: "app", __identity: other });
            assert.notEqual(o.name, a.name, other);
            assert.notEqual(o.ownerToken, a.ownerToken, other);
        }
    });

    it("keeps the name and token in state over freshly derived ones", async () => {
        const olds = { name: "kept-name", ownerToken: "kept-token" };
        const n = await repository.check(olds, { __autoNamePrefix: "app", __identity: id("p", "dev", "app") });
        assert.equal(n.inputs.name, "kept-name");
        assert.equal(n.inputs.ownerToken, "kept-token");
    });

    it("refuses tags under the reserved pulumi-ecr: prefix, and more than 49 tags, naming the property and the fix", async () => {
        const failures =
            (await repository.check({}, { name: "app", region: "us-east-1", tags: { "pulumi-ecr:owner": "x" } })).failures ?? [];
        assert.deepEqual(
            failures.map((f) => f.property),
            ["tags.pulumi-ecr:owner"],
        );
        assert.match(failures[0].reason, /reserved for the ownership tag; rename the tag/);
        const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
        const tooMany = await repository.check({}, { name: "app", region: "us-east-1", tags: many });
        assert.match((tooMany.failures ?? [])[0]?.reason ?? "", /at most 49 tags.*ownership tag/);
    });

    it("when the repository that was in the way stays invisible for the whole visibility window, the create fails with the conflict it met", async () => {
        const inputs = await checked({ name: "app", __identity: id("p", "dev", "app") });
        process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS = "400";
        stub = stubSend((name) => {
            if (name === "CreateRepository") throw awsError("RepositoryAlreadyExistsException", "The repository already exists");
            if (name === "DescribeRepositories") throw awsError("RepositoryNotFoundException");
            throw new Error(`unexpected ${name}`);
        });
        await assert.rejects(repository.create(inputs), (e: Error) => {
            assert.match(
                e.message,
                /^creating ECR Repository \(app\): RepositoryAlreadyExistsException: The repository already exists\. Hint: /,
            );
            return true;
        });
        delete process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS;
        assert.equal(stub.calls[0], "CreateRepository");
        assert.ok(
            stub.calls.filter((c) => c === "DescribeRepositories").length > 1,
            "not found is waited out first: ECR creates asynchronously",
        );
        assert.ok(stub.calls.length < 20, "for a bounded time");
    });

    it("when inspecting the repository in the way fails, the create fails in the one format with that cause", async () => {
        const inputs = await checked({ name: "app", __identity: id("p", "dev", "app") });
        stub = stubSend((name) => {
            if (name === "CreateRepository") throw awsError("RepositoryAlreadyExistsException");
            if (name === "DescribeRepositories") return { repositories: [{ repositoryName: "app", repositoryArn: ARN }] };
            throw awsError("AccessDeniedException", "not allowed to list tags");
        });
        await assert.rejects(repository.create(inputs), (e: Error) => {
            assert.match(
                e.message,
                /^creating ECR Repository \(app\): AccessDeniedException: not allowed to list tags\. Hint: the credentials/,
            );
            return true;
        });
    });

    it("its own repository with another encryption is an error naming the fix, not a silent takeover", async () => {
        const inputs = await checked({ name: "app", __identity: id("p", "dev", "app") });
        stub = stubSend((name) => {
            if (name === "CreateRepository") throw awsError("RepositoryAlreadyExistsException");
            if (name === "DescribeRepositories")
                return {
                    repositories: [{ repositoryName: "app", repositoryArn: ARN, encryptionConfiguration: { encryptionType: "KMS" } }],
                };
            if (name === "ListTagsForResource") return { tags: [{ Key: repository.OWNER_TAG_KEY, Value: inputs.ownerToken }] };
            throw new Error(`unexpected ${name}`);
        });
        await assert.rejects(repository.create(inputs), (e: Error) => {
            assert.match(
                e.message,
                /^creating ECR Repository \(app\): .*encrypted with .*KMS.*Hint: set `encryptionConfigurations` to match it/,
            );
            return true;
        });
    });

    it("every create carries the ownership tag, even without an identity (a token drawn for that create)", async () => {
        const inputs = await checked({ name: "app", tags: { team: "a" } });
        assert.equal(inputs.ownerToken, undefined);
        let sent: any;
        stub = stubSend((name, input) => {
            sent = input;
            return { repository: { repositoryName: "app", repositoryArn: ARN, registryId: "000000000000" } };
        });
        const { outs } = await repository.create(inputs);
        const owner = sent.tags.find((t: { Key: string }) => t.Key === repository.OWNER_TAG_KEY);
        assert.match(owner.Value, /^[0-9a-f]{40}$/);
        assert.equal(outs.ownerToken, owner.Value);
        assert.deepEqual(outs.tags, { team: "a" });
    });
});

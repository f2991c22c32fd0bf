/**
 * Error paths: narrow retries, the SDK's bounded retry budget, the one message format, and
 * partial updates that keep what was applied. SDK stubs here are for error paths only.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { ECRClient } from "@aws-sdk/client-ecr";
// The SDK's own strategy with only the delay changed (a dependency of @aws-sdk/client-ecr, pinned by the lockfile).
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import * as repository from "../../provider/repository";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import { configure, maxAttempts, resetClients, setRetryStrategyForTests } from "../../provider/client";
import { useEndpoint } from "../helpers/moto";
import { repositoryInputs, repositoryState } from "../helpers/repositoryFixtures";

/** Replaces ECRClient.send with `impl` for one test; returns the calls seen and a restore function. */
function stubSend(impl: (name: string, input: any, n: number) => unknown) {
    const original = ECRClient.prototype.send;
    const calls: string[] = [];
    (ECRClient.prototype as any).send = async function (command: { constructor: { name: string }; input: unknown }) {
        const name = command.constructor.name.replace(/Command$/, "");
        calls.push(name);
        return impl(name, command.input, calls.filter((c) => c === name).length);
    };
    return { calls, restore: () => (ECRClient.prototype.send = original) };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });

const POLICY = {
    repository: "app",
    policy: '{"Statement":[{"Action":"ecr:*","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/new"}}],"Version":"2012-10-17"}',
    region: "us-east-1",
};

describe("repository policy: IAM propagation retry", () => {
    let stub: ReturnType<typeof stubSend>;
    beforeEach(() => {
        process.env.PULUMI_ECR_IAM_PROPAGATION_TIMEOUT_MS = "5000";
        process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS = "5000";
    });
    afterEach(() => {
        stub?.restore();
        delete process.env.PULUMI_ECR_IAM_PROPAGATION_TIMEOUT_MS;
        delete process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS;
    });

    it("retries while IAM has not yet seen a new principal, then succeeds", async () => {
        stub = stubSend((name, _input, n) => {
            if (name === "SetRepositoryPolicy" && n <= 2)
                throw awsError(
                    "InvalidParameterException",
                    "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
                );
            return { registryId: "123456789012", policyText: POLICY.policy };
        });
        const created = await repositoryPolicy.create(POLICY);
        assert.equal(created.outs.registryId, "123456789012");
        assert.deepEqual(stub.calls, ["SetRepositoryPolicy", "SetRepositoryPolicy", "SetRepositoryPolicy"]);
    });

    it("does not retry other invalid-parameter errors", async () => {
        stub = stubSend(() => {
            throw awsError("InvalidParameterException", "Invalid parameter at 'RepositoryName'");
        });
        await assert.rejects(
            repositoryPolicy.create(POLICY),
            /^EcrError: creating ECR Repository Policy \(app\): InvalidParameterException: Invalid parameter at 'RepositoryName'/,
        );
        assert.deepEqual(stub.calls, ["SetRepositoryPolicy"]);
    });

    it("on update, does not wait for a repository that is missing", async () => {
        stub = stubSend(() => {
            throw awsError("RepositoryNotFoundException", "The repository with name 'app' does not exist");
        });
        await assert.rejects(
            repositoryPolicy.update("app", { ...POLICY, registryId: "1" }, POLICY),
            /updating ECR Repository Policy \(app\): RepositoryNotFoundException/,
        );
        assert.equal(stub.calls.length, 1);
    });
});

describe("repository update that fails part way", () => {
    let stub: ReturnType<typeof stubSend>;
    afterEach(() => stub?.restore());

    it("reports the error with the state that was applied, so the engine keeps it", async () => {
        stub = stubSend((name) => {
            if (name === "PutImageScanningConfiguration")
                throw awsError("AccessDeniedException", "not allowed: ecr:PutImageScanningConfiguration");
            return {};
        });
        const olds = repositoryState();
        const news: repository.RepositoryOutputs = {
            ...olds,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
        };
        await assert.rejects(repository.update("app", olds, news), (e: any) => {
            assert.match(
                e.message,
                /^updating image scanning of ECR Repository \(app\): AccessDeniedException: not allowed.*Hint: the credentials in use lack the ECR permission/,
            );
            assert.equal(e.id, "app");
            assert.equal(e.properties.imageTagMutability, "IMMUTABLE", "the mutability change that succeeded is kept");
            assert.equal(e.properties.imageScanningConfiguration.scanOnPush, false, "the scanning change that failed is not");
            assert.deepEqual(e.reasons, [e.message]);
            return true;
        });
        assert.deepEqual(stub.calls, ["PutImageTagMutability", "PutImageScanningConfiguration"]);
    });
});

describe("the SDK's retry budget over HTTP", () => {
    let server: http.Server;
    let restoreEnv: () => void;
    const seen: string[] = [];
    let answer: { status: number; type: string };

    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(String(req.headers["x-amz-target"]).split(".")[1]);
            req.resume();
            res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": answer.type });
            res.end(JSON.stringify({ __type: answer.type, message: `${answer.type} from the test endpoint` }));
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        restoreEnv = useEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        // The SDK's retry decisions and token bucket, with zero backoff: the attempts are real, the waiting is not.
        setRetryStrategyForTests((attempts) => new ConfiguredRetryStrategy(attempts, 0));
    });
    after(async () => {
        setRetryStrategyForTests(undefined);
        restoreEnv();
        await new Promise((r) => server.close(r));
    });
    beforeEach(() => {
        seen.length = 0;
        resetClients(); // a fresh retry token bucket per test
    });

    const inputs = repositoryInputs();

    it("retries throttling a bounded number of times, then reports it in the one format", async () => {
        answer = { status: 400, type: "ThrottlingException" };
        await assert.rejects(repository.create(inputs), (e: Error) => {
            assert.match(e.message, /^creating ECR Repository \(app\): ThrottlingException/);
            assert.equal((e.cause as Error).name, "ThrottlingException");
            return true;
        });
        assert.ok(maxAttempts() > 1, "the default budget retries at all");
        assert.equal(seen.length, maxAttempts(), "standard retry mode: the whole budget, no more");
        assert.ok(seen.every((op) => op === "CreateRepository"));
    });

    it("retries 5xx answers too", async () => {
        answer = { status: 500, type: "ServerException" };
        await assert.rejects(repository.create(inputs), /creating ECR Repository \(app\): ServerException/);
        assert.equal(seen.length, maxAttempts());
    });

    it("takes the budget from AWS_MAX_ATTEMPTS", async () => {
        const saved = process.env.AWS_MAX_ATTEMPTS;
        process.env.AWS_MAX_ATTEMPTS = "3";
        resetClients();
        try {
            answer = { status: 400, type: "ThrottlingException" };
            await assert.rejects(repository.create(inputs), /ThrottlingException/);
            assert.equal(seen.length, 3);
        } finally {
            if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
            else process.env.AWS_MAX_ATTEMPTS = saved;
            resetClients();
        }
    });

    it("does not retry an error that cannot heal by itself", async () => {
        answer = { status: 400, type: "AccessDeniedException" };
        await assert.rejects(repository.create(inputs), /AccessDeniedException.*Hint: the credentials in use lack/);
        assert.equal(seen.length, 1);
    });
});

describe("region resolution", () => {
    afterEach(async () => {
        await configure({ config: { get: () => undefined, require: () => "" } });
        resetClients();
    });

    it("takes the stack's aws:region from configure when the resource names none", async () => {
        await configure({ config: { get: (k: string) => (k === "aws:region" ? "eu-central-1" : undefined), require: () => "" } });
        const { inputs } = await repository.check({}, { name: "app" });
        assert.equal(inputs.region, "eu-central-1");
        const own = await repository.check({}, { name: "app", region: "ap-south-1" });
        assert.equal(own.inputs.region, "ap-south-1", "the resource's own region wins");
    });

    it("says how to set a region when none is found anywhere", async () => {
        const saved = { ...process.env };
        for (const k of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"]) delete process.env[k];
        process.env.AWS_CONFIG_FILE = "/nonexistent";
        process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent";
        resetClients();
        try {
            const { failures } = await repository.check({}, { name: "app" });
            const f = failures!.find((x) => x.property === "region");
            assert.ok(f, JSON.stringify(failures));
            assert.match(f.reason, /pulumi config set aws:region/);
        } finally {
            process.env = saved;
        }
    });
});

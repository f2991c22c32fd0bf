/**
 * The retry budget of every call: 25 attempts by default, the stack's `aws:maxRetries` (through the
 * providers' `configure`, and in the program for the data sources), else `AWS_MAX_ATTEMPTS`; and
 * no retry quota that a bad day could drain. The endpoint is a tiny HTTP server in this process
 * that answers from a script; the SDK's own strategy runs with a zero delay (setRetryStrategyForTests),
 * so the attempts are real and the waiting is not.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { DEFAULT_MAX_ATTEMPTS, configure, maxAttempts, resetClients, setRetryStrategyForTests, ecrClient } from "../../provider/client";
import * as repository from "../../provider/repository";
import { getRepository } from "../../sdk";
import { useEndpoint } from "../helpers/moto";
import { repositoryInputs } from "../helpers/repositoryFixtures";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";

const stackConfig = (values: Record<string, string>) => ({
    config: { get: (k: string) => values[k], require: (k: string) => values[k] ?? "" },
});

describe("retry budget: aws:maxRetries, AWS_MAX_ATTEMPTS, 25 by default", () => {
    let server: http.Server;
    let restoreEnv: () => void;
    const seen: string[] = [];
    /** Answers the n-th request (1-based) of the current test. */
    let answer: (n: number) => { status: number; type?: string; body?: unknown };
    const savedEnv = process.env.AWS_MAX_ATTEMPTS;

    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(String(req.headers["x-amz-target"]).split(".")[1]);
            req.resume();
            const a = answer(seen.length);
            res.writeHead(a.status, { "content-type": "application/x-amz-json-1.1", ...(a.type ? { "x-amzn-errortype": a.type } : {}) });
            res.end(JSON.stringify(a.type ? { __type: a.type, message: `${a.type} from the test endpoint` } : (a.body ?? {})));
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        restoreEnv = useEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        setRetryStrategyForTests((attempts) => new ConfiguredRetryStrategy(attempts, 0));
    });
    after(async () => {
        setRetryStrategyForTests(undefined);
        restoreEnv();
        await new Promise((r) => server.close(r));
    });
    beforeEach(async () => {
        seen.length = 0;
        delete process.env.AWS_MAX_ATTEMPTS;
        await configure(stackConfig({}));
        resetClients();
    });
    afterEach(async () => {
        if (savedEnv === undefined) delete process.env.AWS_MAX_ATTEMPTS;
        else process.env.AWS_MAX_ATTEMPTS = savedEnv;
        await configure(stackConfig({}));
        pulumi.runtime.setAllConfig({});
        resetClients();
    });

    const throttled = () => ({ status: 400, type: "ThrottlingException" });
    const INPUTS = repositoryInputs();

    it("GIVEN no setting WHEN a call keeps failing THEN it is tried 25 times, as @pulumi/aws and Terraform do", async () => {
        assert.equal(DEFAULT_MAX_ATTEMPTS, 25);
        assert.equal(maxAttempts(), 25);
        answer = throttled;
        await assert.rejects(repository.create(INPUTS), /creating ECR Repository \(app\): ThrottlingException/);
        assert.equal(seen.length, 25);
    });

    it("GIVEN AWS_MAX_ATTEMPTS=3 THEN every call gets 3 attempts", async () => {
        process.env.AWS_MAX_ATTEMPTS = "3";
        resetClients();
        answer = throttled;
        await assert.rejects(repository.create(INPUTS), /ThrottlingException/);
        assert.equal(seen.length, 3);
    });

    it("GIVEN the stack's aws:maxRetries=7 and AWS_MAX_ATTEMPTS=3 THEN the stack's setting wins", async () => {
        process.env.AWS_MAX_ATTEMPTS = "3";
        await configure(stackConfig({ "aws:maxRetries": "7" }));
        assert.equal(maxAttempts(), 7);
        answer = throttled;
        await assert.rejects(repository.create(INPUTS), /ThrottlingException/);
        assert.equal(seen.length, 7, "aws:maxRetries counts executions, as in @pulumi/aws");
    });

    it("GIVEN aws:maxRetries that is not a whole number >= 1 THEN configure fails naming the key and the fix", async () => {
        for (const bad of ["0", "-2", "2.5", "many"]) {
            await assert.rejects(configure(stackConfig({ "aws:maxRetries": bad })), (e: Error) => {
                assert.match(e.message, /^aws:maxRetries must be a whole number of attempts, at least 1/);
                assert.match(e.message, /pulumi config set aws:maxRetries 25/);
                return true;
            });
        }
    });

    it("GIVEN aws:maxRetries in the program's stack config THEN the data sources use it too", async () => {
        pulumi.runtime.setConfig("aws:maxRetries", "4");
        answer = throttled;
        await assert.rejects(getRepository({ name: "app" }), /ThrottlingException/);
        assert.deepEqual(seen, Array(4).fill("DescribeRepositories"));
    });

    it("GIVEN a bad day (every call fails twice before it succeeds) THEN no retry quota runs dry: 60 calls in a row all succeed", async () => {
        // With the SDK's token bucket (500 tokens, 14 per 5xx retry, 14 back per success) this fails from about the 36th call on.
        answer = (n) => (n % 3 === 0 ? { status: 200, body: { repositories: [] } } : { status: 500, type: "ServerException" });
        const client = ecrClient("us-east-1");
        for (let i = 0; i < 60; i++) {
            const out = await client.send(new DescribeRepositoriesCommand({}));
            assert.equal(out.$metadata.attempts, 3, `call ${i + 1}`);
        }
        assert.equal(seen.length, 180);
    });
});

/**
 * Fault knobs of the local endpoint, and the AWS SDK's standard retry recovering from them.
 */
import * as assert from "node:assert/strict";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, parseFaults, startLocalEcr } from "../../local";
import { Faults } from "../../local/faults";
import { client } from "../conformance/fixtures";
import { randomName } from "../helpers/names";

describe("local ECR endpoint: fault injection", function () {
    this.timeout(120_000);
    let ecr: LocalEcr | undefined;
    const clients: c.ECRClient[] = [];

    afterEach(async () => {
        clients.splice(0).forEach((x) => x.destroy());
        await ecr?.stop();
        ecr = undefined;
    });

    function sdk(maxAttempts?: number): c.ECRClient {
        const x = client(ecr!.url, "us-east-1", maxAttempts);
        clients.push(x);
        return x;
    }

    it("throttles a share of calls with ThrottlingException, which the SDK's standard retry recovers from", async () => {
        ecr = await startLocalEcr({ faults: { throttleRate: 0.3, seed: 7 } });
        const ecrClient = sdk(6);
        let retried = 0;
        for (let i = 0; i < 12; i++) {
            const out = await ecrClient.send(new c.CreateRepositoryCommand({ repositoryName: randomName("throttle") }));
            if ((out.$metadata.attempts ?? 1) > 1) retried++;
        }
        const injected = ecr.faultsInjected();
        assert.ok(injected.throttle > 0, "some calls were throttled");
        assert.equal(retried > 0, true, "the SDK retried the throttled calls");
        const all = await ecrClient.send(new c.DescribeRepositoriesCommand({}));
        assert.equal(all.repositories!.length, 12, "every create happened exactly once");
    });

    it("surfaces ThrottlingException as the SDK's error when retries run out", async () => {
        ecr = await startLocalEcr({ faults: { throttleRate: 1, operations: ["DescribeRepositories"] } });
        const err = await sdk(2)
            .send(new c.DescribeRepositoriesCommand({}))
            .then(
                () => assert.fail("expected ThrottlingException"),
                (e: c.ECRServiceException) => e,
            );
        assert.equal(err.name, "ThrottlingException");
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal(err.$metadata.attempts, 2, "the SDK took it as retryable and tried again");
    });

    it("answers HTTP 500 ServerException for the chosen operations only", async () => {
        ecr = await startLocalEcr({ faults: { errorRate: 1, operations: ["DescribeRepositories"] } });
        const x = sdk(2);
        await x.send(new c.CreateRepositoryCommand({ repositoryName: randomName("err") }));
        const err = await x.send(new c.DescribeRepositoriesCommand({})).then(
            () => assert.fail("expected ServerException"),
            (e: c.ServerException) => e,
        );
        assert.ok(err instanceof c.ServerException);
        assert.equal(err.$metadata.httpStatusCode, 500);
        assert.equal(err.$metadata.attempts, 2, "the SDK retried the 500 once");
        assert.equal(ecr.faultsInjected().error, 2);
    });

    it("resets connections, and the SDK retries those too", async () => {
        ecr = await startLocalEcr({ faults: { resetRate: 0.3, seed: 11 } });
        const x = sdk(6);
        for (let i = 0; i < 10; i++) await x.send(new c.CreateRepositoryCommand({ repositoryName: randomName("reset") }));
        assert.ok(ecr.faultsInjected().reset > 0, "some connections were reset");
        assert.equal((await x.send(new c.DescribeRepositoriesCommand({}))).repositories!.length, 10);
    });

    it("delays the visibility of a new repository", async () => {
        // Long enough that the first look lands inside the window even on a loaded machine; the
        // test waits for visibility by polling, so its length follows the delay, not a guess.
        const delayMs = 2000;
        ecr = await startLocalEcr({ faults: { repositoryVisibilityDelayMs: delayMs } });
        const x = sdk(1);
        const name = randomName("late");
        const before = Date.now();
        await x.send(new c.CreateRepositoryCommand({ repositoryName: name }));
        await assert.rejects(x.send(new c.CreateRepositoryCommand({ repositoryName: name })), c.RepositoryAlreadyExistsException);
        let hidden = 0;
        let found: c.Repository | undefined;
        for (let i = 0; i < 400 && !found; i++) {
            try {
                found = (await x.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
            } catch (e) {
                if (!(e instanceof c.RepositoryNotFoundException)) throw e;
                hidden++;
                await new Promise((r) => setTimeout(r, 25));
            }
        }
        // The server made it visible no earlier than `before + delayMs`, so a hit always comes after that.
        assert.ok(Date.now() - before >= delayMs, "visible before the delay was over");
        assert.equal(found?.repositoryName, name, "the repository became visible");
        assert.ok(hidden > 0, "DescribeRepositories did not find it while it was hidden");
    });

    it("loses replies: the call is applied, the connection cut, and the SDK's retry meets what the first attempt did", async () => {
        ecr = await startLocalEcr({ faults: { lostReplyRate: 1, operations: ["CreateRepository"] } });
        const x = sdk(2);
        const name = randomName("lost");
        const err = await x.send(new c.CreateRepositoryCommand({ repositoryName: name })).then(
            () => assert.fail("expected the retry to meet RepositoryAlreadyExistsException"),
            (e: c.ECRServiceException) => e,
        );
        assert.equal(err.name, "RepositoryAlreadyExistsException");
        assert.equal(err.$metadata.attempts, 2, "the first reply was lost, so the SDK sent it again");
        assert.equal(ecr.faultsInjected().lostReply, 1, "errors are answered, never lost: only the applied call lost its reply");
        const found = await x.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }));
        assert.equal(found.repositories?.length, 1, "the first attempt was applied");
    });

    it("decides faults deterministically from the seed", () => {
        const run = (seed: number) => {
            const f = new Faults({ throttleRate: 0.3, errorRate: 0.1, resetRate: 0.05, seed });
            return Array.from({ length: 200 }, () => f.decide("PutImage"));
        };
        assert.deepEqual(run(42), run(42));
        assert.notDeepEqual(run(42), run(43));
        const counts = run(42).reduce<Record<string, number>>((m, d) => ({ ...m, [d]: (m[d] ?? 0) + 1 }), {});
        assert.ok(counts.throttle > 30 && counts.throttle < 90, `about 30% throttled, got ${counts.throttle}`);
    });

    it("parses the CLI's --faults form and refuses nonsense", () => {
        assert.deepEqual(parseFaults("throttle=0.3,error=0.1,visibilityDelay=500,reset=0.05,seed=9,ops=PutImage+CreateRepository"), {
            throttleRate: 0.3,
            errorRate: 0.1,
            repositoryVisibilityDelayMs: 500,
            resetRate: 0.05,
            seed: 9,
            operations: ["PutImage", "CreateRepository"],
        });
        assert.deepEqual(parseFaults("lost-reply=0.3,seed=2"), { lostReplyRate: 0.3, seed: 2 });
        assert.throws(() => parseFaults("throttle=2"), /within \[0, 1\]/);
        assert.throws(() => parseFaults("throttle=0.5,error=0.3,lost-reply=0.3"), /add up to 1\.1/);
        assert.throws(() => parseFaults("explode=1"), /unknown knob/);
    });
});

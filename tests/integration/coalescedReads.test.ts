/**
 * Repository `read`s that arrive together (as in `pulumi refresh`) share one DescribeRepositories
 * of up to 100 names, against each real endpoint behind a counting proxy: each read gets its own
 * repository, a missing one is reported gone, more than 100 take more than one call, and a failed
 * call fails (or, when the SDK retries it, succeeds for) every read that waited on it.
 */
import * as assert from "node:assert/strict";
import { CreateRepositoryCommand, TagResourceCommand } from "@aws-sdk/client-ecr";
import { resetClients } from "../../provider/client";
import * as repository from "../../provider/repository";
import { type CountingProxy, startCountingProxy } from "../helpers/countingProxy";
import { describeOnEndpoints } from "../helpers/endpoints";
import { randomName } from "../helpers/names";

describeOnEndpoints("Repository reads coalesced", (ep) => {
    let proxy: CountingProxy;
    let saved: string | undefined;
    let names: string[] = [];
    const arns = new Map<string, string>();

    before(async function () {
        this.timeout(120_000);
        proxy = await startCountingProxy(ep.url);
        saved = process.env.AWS_ENDPOINT_URL_ECR;
        process.env.AWS_ENDPOINT_URL_ECR = proxy.url;
        resetClients();
        // 120 repositories, created through the test's own client (not through the proxy).
        names = Array.from({ length: 120 }, (_, i) => randomName(`coalesce${i}`));
        for (const name of names) {
            const out = await ep.ecr().send(new CreateRepositoryCommand({ repositoryName: name }));
            arns.set(name, out.repository!.repositoryArn!);
        }
        await ep.ecr().send(new TagResourceCommand({ resourceArn: arns.get(names[1])!, tags: [{ Key: "team", Value: "b" }] }));
    });
    after(async () => {
        process.env.AWS_ENDPOINT_URL_ECR = saved;
        resetClients();
        await proxy?.stop();
    });
    beforeEach(() => proxy.reset());

    const readAll = (ns: string[]) => Promise.all(ns.map((n) => repository.read(n, { name: n, region: "us-east-1" })));

    it("GIVEN five reads at once, in any order THEN one DescribeRepositories answers each with its own repository", async () => {
        const some = [names[4], names[1], names[3], names[0], names[2]];
        const got = await readAll(some);
        got.forEach((r, i) => {
            assert.equal(r.id, some[i]);
            assert.equal(r.props.name, some[i]);
            assert.equal(r.props.arn, arns.get(some[i]));
        });
        assert.deepEqual(got[1].props.tags, { team: "b" }, "tags are read per repository");
        assert.deepEqual(got[0].props.tags, {});
        assert.equal(proxy.count("DescribeRepositories"), 1, JSON.stringify(proxy.counts()));
        assert.deepEqual([...proxy.calls()[0].body.repositoryNames].sort(), [...some].sort());
        assert.equal(proxy.count("ListTagsForResource"), 5);
    });

    it("GIVEN a missing name among them THEN only that read reports the repository gone (blank id), in a few calls", async () => {
        const missing = randomName("never-made");
        const some = [names[5], missing, names[6], names[7]];
        const got = await readAll(some);
        assert.deepEqual(
            got.map((r) => r.id),
            [names[5], "", names[6], names[7]],
        );
        // The four reads share one first call; ECR fails it for the one missing name, and halving finds
        // it: 1 + 2 + 2 calls at most for 4 names.
        assert.deepEqual(proxy.calls().find((c) => c.operation === "DescribeRepositories")?.body.repositoryNames?.length, 4);
        assert.ok(proxy.count("DescribeRepositories") <= 5, JSON.stringify(proxy.counts()));
        assert.equal(proxy.count("ListTagsForResource"), 3);
    });

    it("GIVEN 120 reads at once THEN two calls of at most 100 names cover them", async function () {
        this.timeout(60_000);
        const got = await readAll(names);
        assert.deepEqual(
            got.map((r) => r.props.arn),
            names.map((n) => arns.get(n)),
        );
        const sizes = proxy
            .calls()
            .filter((c) => c.operation === "DescribeRepositories")
            .map((c) => c.body.repositoryNames.length);
        assert.deepEqual(sizes, [100, 20]);
    });

    it("GIVEN the batched call fails with an error the SDK does not retry THEN each waiting read fails, naming its repository", async () => {
        proxy.failNext("DescribeRepositories", 1, { status: 400, type: "AccessDeniedException", message: "not allowed" });
        const some = [names[8], names[9]];
        const settled = await Promise.allSettled(some.map((n) => repository.read(n, { name: n, region: "us-east-1" })));
        settled.forEach((s, i) => {
            assert.equal(s.status, "rejected");
            const err = (s as PromiseRejectedResult).reason as Error;
            assert.match(err.message, new RegExp(`^reading ECR Repository \\(${some[i]}\\): AccessDeniedException: not allowed`));
        });
        assert.equal(proxy.count("DescribeRepositories"), 1, "one call failed for both");
    });

    it("GIVEN the batched call fails once with a ServerException THEN the SDK retries it and every read succeeds", async () => {
        proxy.failNext("DescribeRepositories", 1, { status: 500, type: "ServerException", message: "injected" });
        const some = [names[10], names[11], names[12]];
        const got = await readAll(some);
        assert.deepEqual(
            got.map((r) => r.id),
            some,
        );
        assert.equal(proxy.count("DescribeRepositories"), 2, "the failed batch and its one retry");
    });
});

/**
 * Lost replies: the local endpoint applies a call and then cuts the connection before the reply,
 * which is what a timeout at AWS looks like. The AWS SDK retries the call; for CreateRepository
 * the retry meets RepositoryAlreadyExistsException. Every create-like call must still end well:
 * either it succeeds and the object is the resource's, or it fails and leaves nothing behind.
 *
 * GIVEN the local endpoint losing a high share of replies (seeded, so a run repeats)
 * WHEN  the providers create, update and delete through it
 * THEN  every create owns exactly the repository it reports, no repository exists that no create
 *       reported, policies are in place after their puts, and deletes leave nothing.
 */
import * as assert from "node:assert/strict";
import {
    CreateRepositoryCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    ListTagsForResourceCommand,
    paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { resetClients } from "../../provider/client";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as pullThroughCacheRule from "../../provider/pullThroughCacheRule";
import * as pullTimeUpdateExclusion from "../../provider/pullTimeUpdateExclusion";
import * as repository from "../../provider/repository";
import * as repositoryCreationTemplate from "../../provider/repositoryCreationTemplate";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import { client } from "../conformance/fixtures";
import { describeOnEndpoints } from "../helpers/endpoints";
import { useEndpoint } from "../helpers/moto";
import { randomName } from "../helpers/names";

const REGION = "us-east-1";
const POLICY = {
    Version: "2012-10-17",
    Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["ecr:BatchGetImage"] }],
};
const LIFECYCLE = {
    rules: [
        { rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } },
    ],
};

describe("lost replies: every create-like call ends well", function () {
    this.timeout(300_000);
    let ecr: LocalEcr;
    let sdk: ECRClient;
    let restoreEnv: () => void;
    const log: string[] = [];

    async function start(faults: Parameters<typeof startLocalEcr>[0] = {}) {
        await stop();
        log.length = 0;
        ecr = await startLocalEcr({ ...faults, log: (line) => log.push(line) });
        // The test's own client meets the faults too: the providers' budget, so its reads get through.
        sdk = client(ecr.url, REGION, 25);
        restoreEnv = useEndpoint(ecr.url, REGION);
        resetClients();
    }
    async function stop() {
        if (!ecr) return;
        sdk.destroy();
        restoreEnv();
        resetClients();
        await ecr.stop();
    }
    after(stop);

    async function allRepositories(): Promise<string[]> {
        const names: string[] = [];
        for await (const page of paginateDescribeRepositories({ client: sdk }, {})) {
            names.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
        }
        return names.sort();
    }
    async function tagsOf(name: string): Promise<Record<string, string>> {
        const repo = (await sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
        const out = await sdk.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
        return Object.fromEntries((out.tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    /** check() as the engine calls it for a new resource of a stack: the sdk's identity and auto-name prefix. */
    async function checked(resourceName: string, extra: Record<string, unknown> = {}) {
        const news = {
            __autoNamePrefix: resourceName,
            __identity: `organization/lost-reply/dev/ecr:Repository::${resourceName}`,
            ...extra,
        };
        const { inputs, failures } = await repository.check({}, news);
        assert.deepEqual(failures, []);
        return inputs as repository.RepositoryInputs;
    }

    it("N auto-named creates each either own their repository or fail leaving nothing, at a 60% lost-reply rate on CreateRepository", async () => {
        await start({ faults: { lostReplyRate: 0.6, operations: ["CreateRepository"], seed: 12 } });
        const N = 20;
        const reported: string[] = [];
        const failed: string[] = [];
        for (let i = 0; i < N; i++) {
            const inputs = await checked(`app${i}`, { tags: { team: "platform" } });
            try {
                const { id, outs } = await repository.create(inputs);
                reported.push(id);
                assert.equal(outs.name, inputs.name);
                assert.deepEqual(outs.tags, { team: "platform" }, "the ownership tag never shows in the resource's tags");
                assert.equal(outs.ownerToken, inputs.ownerToken);
                assert.equal(
                    (await tagsOf(id))[repository.OWNER_TAG_KEY],
                    inputs.ownerToken,
                    "the repository carries this resource's token",
                );
            } catch (e) {
                failed.push(`${inputs.name}: ${(e as Error).message}`);
            }
        }
        const lost = ecr.faultsInjected().lostReply;
        const conflicts = log.filter((l) => l.startsWith("CreateRepository 400 RepositoryAlreadyExistsException")).length;
        console.log(
            `      ${N} creates: ${reported.length} succeeded, ${failed.length} failed; ${lost} replies lost, ${conflicts} retries met AlreadyExists`,
        );
        assert.ok(lost >= N / 2, `the fault fired (${lost} lost replies)`);
        assert.ok(conflicts > 0, "some retried creates met RepositoryAlreadyExistsException, and were taken back");
        assert.deepEqual(failed, [], "with 25 attempts every create ends in success");
        assert.deepEqual(await allRepositories(), [...reported].sort(), "ECR holds exactly the repositories the creates reported");
    });

    it("lost replies while new repositories are still invisible (ECR creates asynchronously): each create still owns its repository", async () => {
        // The repeat meets RepositoryAlreadyExistsException while DescribeRepositories still says not found.
        await start({ faults: { lostReplyRate: 0.5, operations: ["CreateRepository"], repositoryVisibilityDelayMs: 800, seed: 4 } });
        const reported: string[] = [];
        for (let i = 0; i < 6; i++) {
            const inputs = await checked(`late${i}`);
            const { id, outs } = await repository.create(inputs);
            assert.equal(outs.ownerToken, inputs.ownerToken);
            reported.push(id);
        }
        assert.ok(ecr.faultsInjected().lostReply > 0, "some replies were lost");
        // Listings hide a repository while it is invisible: wait (bounded) until all are listed.
        let listed: string[] = [];
        for (let i = 0; i < 100 && listed.length < reported.length; i++) {
            listed = await allRepositories();
            if (listed.length < reported.length) await new Promise((r) => setTimeout(r, 50));
        }
        assert.deepEqual(listed, [...reported].sort());
    });

    it("a name taken by another resource's repository fails, names the resource, the operation and the fix, and leaves it untouched", async () => {
        await start({ faults: { lostReplyRate: 0.5, seed: 3 } });
        const name = randomName("theirs");
        const theirs = await repository.create(await checked("theirs", { name, tags: { owner: "them" } }));
        const before = await tagsOf(name);
        const mine = await checked("mine", { name, tags: { owner: "me" } });
        assert.notEqual(mine.ownerToken, (theirs.outs as repository.RepositoryOutputs).ownerToken);
        await assert.rejects(repository.create(mine), (e: Error) => {
            assert.match(e.message, new RegExp(`^creating ECR Repository \\(${name}\\): RepositoryAlreadyExistsException`));
            assert.match(e.message, /Hint: the repository belongs to another resource or stack.*adoptExisting: true/);
            return true;
        });
        assert.deepEqual(await tagsOf(name), before, "the other resource's repository is untouched");
        assert.deepEqual(await allRepositories(), [name]);
    });

    it("a repository made outside Pulumi (no ownership tag) is refused without adoptExisting, and marked as ours with it", async () => {
        await start({ faults: { lostReplyRate: 0.5, seed: 5 } });
        const name = randomName("manual");
        await sdk
            .send(new CreateRepositoryCommand({ repositoryName: name, tags: [{ Key: "made", Value: "by-hand" }] }))
            .catch((e: Error) => assert.equal(e.name, "RepositoryAlreadyExistsException", "only a lost reply of this very call"));
        await assert.rejects(
            repository.create(await checked("manual", { name })),
            /RepositoryAlreadyExistsException.*Hint: .*adoptExisting: true/,
        );
        const inputs = await checked("manual", { name, adoptExisting: true, tags: { team: "platform" } });
        const { outs } = await repository.create(inputs);
        assert.deepEqual(outs.tags, { team: "platform" });
        const tags = await tagsOf(name);
        assert.equal(tags[repository.OWNER_TAG_KEY], inputs.ownerToken, "adopted, then marked, so a retried create recognises it");
        assert.equal(tags.team, "platform");
    });

    it("the ownership tag never shows as drift: read and diff see only the user's tags", async () => {
        await start({ faults: { lostReplyRate: 0.4, seed: 9 } });
        const inputs = await checked("drift", { tags: { env: "test" } });
        const { id, outs } = await repository.create(inputs);
        const read = await repository.read(id, outs as repository.RepositoryOutputs);
        assert.deepEqual((read.props as repository.RepositoryOutputs).tags, { env: "test" });
        const again = await repository.check(inputs as never, { __autoNamePrefix: "drift", __identity: "other", tags: { env: "test" } });
        assert.equal(again.inputs.ownerToken, inputs.ownerToken, "the token in state wins over a recomputed one");
        assert.equal(again.inputs.name, inputs.name);
        const d = await repository.diff(id, read.props as repository.RepositoryOutputs, again.inputs as repository.RepositoryInputs);
        assert.equal(d.changes, false);
        // An update of the user's tags leaves the ownership tag alone.
        await repository.update(id, read.props as repository.RepositoryOutputs, { ...inputs, tags: { env: "prod" } });
        const tags = await tagsOf(id);
        assert.equal(tags.env, "prod");
        assert.equal(tags[repository.OWNER_TAG_KEY], inputs.ownerToken);
    });

    it("policies are idempotent puts and deletes treat 'gone' as done: a whole lifecycle under 50% lost replies leaves nothing", async () => {
        await start({ faults: { lostReplyRate: 0.5, seed: 21 } });
        const names: string[] = [];
        for (let i = 0; i < 5; i++) {
            const { id } = await repository.create(await checked(`pol${i}`));
            names.push(id);
            const rp = await repositoryPolicy.check({}, { repository: id, policy: POLICY });
            const lp = await lifecyclePolicy.check({}, { repository: id, policy: LIFECYCLE });
            const rpOut = await repositoryPolicy.create(rp.inputs as never);
            const lpOut = await lifecyclePolicy.create(lp.inputs as never);
            assert.match((await sdk.send(new GetRepositoryPolicyCommand({ repositoryName: id }))).policyText ?? "", /BatchGetImage/);
            assert.match(
                (await sdk.send(new GetLifecyclePolicyCommand({ repositoryName: id }))).lifecyclePolicyText ?? "",
                /imageCountMoreThan/,
            );
            await repositoryPolicy.delete(id, rpOut.outs);
            await lifecyclePolicy.delete(id, lpOut.outs);
            await repository.delete(id, (await repository.read(id, { name: id, region: REGION })).props as repository.RepositoryOutputs);
        }
        assert.ok(ecr.faultsInjected().lostReply > 10, `lost replies: ${ecr.faultsInjected().lostReply}`);
        assert.deepEqual(await allRepositories(), []);
    });
});

describeOnEndpoints("Repository ownership (a create repeated as after a lost reply)", (endpoint) => {
    const identity = (r: string) => `organization/ownership/dev/ecr:Repository::${r}`;

    it("a second create of the same resource takes back its own repository; another resource's create of that name is refused", async () => {
        const ecrSdk = endpoint.ecr();
        const name = randomName("own");
        const first = await repository.check({}, { name, __identity: identity("a"), tags: { k: "v" } });
        const created = await repository.create(first.inputs as repository.RepositoryInputs);
        // The same resource creating again: what the SDK's retry, or the run after an interrupted one, does.
        const again = await repository.check({}, { name, __identity: identity("a"), tags: { k: "v2" } });
        const retaken = await repository.create(again.inputs as repository.RepositoryInputs);
        assert.equal((retaken.outs as repository.RepositoryOutputs).arn, (created.outs as repository.RepositoryOutputs).arn);
        assert.deepEqual((retaken.outs as repository.RepositoryOutputs).tags, { k: "v2" }, "brought in line with the program");
        const other = await repository.check({}, { name, __identity: identity("b") });
        await assert.rejects(
            repository.create(other.inputs as repository.RepositoryInputs),
            /creating ECR Repository .*RepositoryAlreadyExistsException.*Hint: the repository belongs to another/,
        );
        const repos = await ecrSdk.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        assert.equal(repos.repositories?.length, 1);
        await repository.delete(name, retaken.outs as repository.RepositoryOutputs);
    });
});

describe("lost replies: create-like calls without an ownership tag (registry settings)", function () {
    this.timeout(120_000);
    let ecr: LocalEcr | undefined;
    let restoreEnv: (() => void) | undefined;
    afterEach(async () => {
        restoreEnv?.();
        resetClients();
        await ecr?.stop();
        ecr = undefined;
    });
    async function start(operations: string[]) {
        ecr = await startLocalEcr({ faults: { lostReplyRate: 1, operations } });
        restoreEnv = useEndpoint(ecr.url, REGION);
        resetClients();
    }
    /** check() then create(), as the engine calls them. */
    async function createChecked(provider: ProviderModule, news: Record<string, unknown>) {
        const { inputs, failures } = await provider.check({}, news);
        assert.deepEqual(failures, []);
        return provider.create(inputs ?? {});
    }
    type ProviderModule = {
        check(olds: object, news: object): Promise<{ inputs?: object; failures?: unknown[] }>;
        create(inputs: object): Promise<{ id: string; outs?: object }>;
    };
    const ARN = "arn:aws:iam::123456789012:role/ci";

    for (const [title, provider, op, news, other] of [
        [
            "PullThroughCacheRule",
            pullThroughCacheRule,
            "CreatePullThroughCacheRule",
            { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" },
            { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "registry.k8s.io" },
        ],
        [
            "RepositoryCreationTemplate",
            repositoryCreationTemplate,
            "CreateRepositoryCreationTemplate",
            { prefix: "team", appliedFors: ["PULL_THROUGH_CACHE"], description: "mine" },
            { prefix: "team", appliedFors: ["PULL_THROUGH_CACHE"], description: "theirs" },
        ],
        ["PullTimeUpdateExclusion", pullTimeUpdateExclusion, "RegisterPullTimeUpdateExclusion", { principalArn: ARN }, undefined],
    ] as const) {
        it(`${title}: every reply of ${op} lost, the create still succeeds, once; one that existed before is still refused`, async () => {
            await start([op]);
            const p = provider as unknown as ProviderModule;
            const { id } = await createChecked(p, news);
            assert.ok(id);
            assert.equal(ecr!.faultsInjected().lostReply, 1, "the first attempt was applied and its reply lost; the repeat met it");
            if (other) {
                // Someone else's, met on the first attempt (or differing from what this create asked for): the conflict stands.
                await assert.rejects(createChecked(p, other), /^.*creating ECR .*AlreadyExistsException/);
            }
            await assert.rejects(
                createChecked(p, news),
                /AlreadyExistsException/,
                "met on the first attempt: someone else's, even when identical",
            );
        });
    }
});

/**
 * RepositoryPolicy and LifecyclePolicy against each real ECR endpoint over HTTP (moto and the local
 * endpoint): create, read
 * back with no phantom diff, update in place, drift, out-of-band deletion, delete.
 */
import * as assert from "node:assert/strict";
import {
    DeleteLifecyclePolicyCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as repository from "../../provider/repository";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import { ecrClient, resetClients } from "../../provider/client";
import { lifecyclePoliciesEquivalent } from "../../provider/lifecyclePolicy";
import { iamPoliciesEquivalent } from "../../provider/repositoryPolicy";
import { describeOnEndpoints } from "../helpers/endpoints";
import { randomName } from "../helpers/names";

type Provider = Required<Omit<dynamic.ResourceProvider, "configure">>;

const pullPolicy = (account: string) => ({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "Pull",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
    ],
});

const keepTen = {
    rules: [
        {
            rulePriority: 2,
            description: "keep 10",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
            action: { type: "expire" },
        },
        {
            rulePriority: 1,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
        },
    ],
};

describeOnEndpoints("RepositoryPolicy and LifecyclePolicy", (endpoint) => {
    let ecr: ECRClient;
    before(() => (ecr = endpoint.ecr()));

    async function newRepository(): Promise<string> {
        const checked = await repository.check({}, { name: randomName() });
        const { id } = await repository.create(checked.inputs as repository.RepositoryInputs);
        return id;
    }

    const cases: {
        title: string;
        provider: Provider;
        policy: object;
        reformatted: string;
        changed: object;
        get: (repo: string) => Promise<string | undefined>;
        equivalent: (a: unknown, b: unknown) => boolean;
    }[] = [
        {
            title: "RepositoryPolicy",
            provider: repositoryPolicy as unknown as Provider,
            policy: pullPolicy("123456789012"),
            // Same meaning: account id for its root ARN, scalar for one-element list, reordered keys and actions.
            reformatted: JSON.stringify(
                {
                    Statement: {
                        Action: ["ecr:getdownloadurlforlayer", "ecr:BatchGetImage"],
                        Principal: { AWS: ["123456789012"] },
                        Effect: "Allow",
                        Sid: "Pull",
                    },
                    Version: "2012-10-17",
                },
                null,
                4,
            ),
            changed: pullPolicy("210987654321"),
            get: async (repo) => (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repo }))).policyText,
            equivalent: iamPoliciesEquivalent,
        },
        {
            title: "LifecyclePolicy",
            provider: lifecyclePolicy as unknown as Provider,
            policy: keepTen,
            reformatted: JSON.stringify({ rules: [...keepTen.rules].reverse() }, null, 2),
            changed: { rules: [{ ...keepTen.rules[0], selection: { ...keepTen.rules[0].selection, countNumber: 20 } }, keepTen.rules[1]] },
            get: async (repo) => (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText,
            equivalent: lifecyclePoliciesEquivalent,
        },
    ];

    for (const c of cases) {
        describe(c.title, () => {
            it("creates the policy, reads it back with no diff, and ignores a reformatted copy", async () => {
                const repo = await newRepository();
                const checked = await c.provider.check({}, { repository: repo, policy: c.policy });
                assert.deepEqual(checked.failures, []);
                const created = await c.provider.create(checked.inputs);
                assert.equal(created.id, repo);
                assert.ok(c.equivalent(await c.get(repo), c.policy), "ECR holds the policy that was given");
                assert.match(created.outs.registryId, /^\d{12}$/);

                const read = await c.provider.read(repo, created.outs);
                assert.equal(read.props!.policy, created.outs.policy, "state keeps its spelling when ECR's copy means the same");
                assert.equal((await c.provider.diff(repo, read.props, checked.inputs)).changes, false);

                const reformatted = await c.provider.check(checked.inputs, { repository: repo, policy: c.reformatted });
                assert.deepEqual(reformatted.failures, []);
                assert.equal((await c.provider.diff(repo, read.props, reformatted.inputs)).changes, false, "reformatting is not a change");
            });

            it("updates a changed policy in place, and replaces on a new repository", async () => {
                const repo = await newRepository();
                const checked = await c.provider.check({}, { repository: repo, policy: c.policy });
                const created = await c.provider.create(checked.inputs);
                const next = await c.provider.check(checked.inputs, { repository: repo, policy: c.changed });
                const d = await c.provider.diff(repo, created.outs, next.inputs);
                assert.equal(d.changes, true);
                assert.deepEqual(d.replaces, []);
                await c.provider.update(repo, created.outs, next.inputs);
                assert.ok(c.equivalent(await c.get(repo), c.changed));
                assert.ok(!c.equivalent(await c.get(repo), c.policy), "the update reached ECR");

                const moved = await c.provider.check(checked.inputs, { repository: `${repo}-other`, policy: c.policy });
                assert.deepEqual((await c.provider.diff(repo, created.outs, moved.inputs)).replaces, ["repository"]);
            });

            it("is gone from state when deleted out of band, and delete is idempotent", async () => {
                const repo = await newRepository();
                const checked = await c.provider.check({}, { repository: repo, policy: c.policy });
                const created = await c.provider.create(checked.inputs);
                await c.provider.delete(repo, created.outs);
                await assert.rejects(c.get(repo), /NotFound/);
                assert.equal((await c.provider.read(repo, created.outs)).id, "");
                await c.provider.delete(repo, created.outs); // not found means done
            });
        });
    }

    it("a repository policy changed out of band shows as a diff after refresh", async () => {
        const repo = await newRepository();
        const checked = await repositoryPolicy.check({}, { repository: repo, policy: pullPolicy("123456789012") });
        const created = await repositoryPolicy.create(checked.inputs as any);
        await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: JSON.stringify(pullPolicy("999999999999")) }));
        const read = await repositoryPolicy.read(repo, created.outs);
        assert.ok(read.props!.policy.includes("999999999999"), "state takes ECR's policy on refresh");
        assert.equal((await repositoryPolicy.diff(repo, read.props, checked.inputs)).changes, true);
    });

    it("creating a policy for a missing repository fails with the one format, after the bounded visibility wait", async () => {
        // Count the provider's sends (the initialize step runs once per send, not per SDK retry), rather than time them:
        // a timing bound flaked whenever the first call was slow enough to leave no room for a retry in the window.
        const calls: string[] = [];
        const name = "countPutLifecyclePolicy";
        process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS = "1000";
        try {
            const checked = await lifecyclePolicy.check({}, { repository: randomName("missing"), policy: keepTen });
            ecrClient((checked.inputs as { region: string }).region).middlewareStack.add(
                (next, context) => async (args) => {
                    calls.push(context.commandName ?? "");
                    return next(args);
                },
                { step: "initialize", name },
            );
            await assert.rejects(lifecyclePolicy.create(checked.inputs as any), (e: Error) => {
                assert.match(e.message, /^creating ECR Lifecycle Policy \(.+\): RepositoryNotFoundException/);
                return true;
            });
            const puts = calls.filter((c) => c === "PutLifecyclePolicyCommand").length;
            // Delays of 250 then 500 ms fit a 1000 ms window; the next (1000 ms) does not: 2 or 3 attempts, never more.
            assert.ok(puts >= 2 && puts <= 3, `retried while the repository may be invisible, within the window only: ${puts} attempts`);
        } finally {
            delete process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS;
            resetClients();
        }
    });

    it("an out-of-band deleted lifecycle policy disappears from state", async () => {
        const repo = await newRepository();
        const checked = await lifecyclePolicy.check({}, { repository: repo, policy: keepTen });
        const created = await lifecyclePolicy.create(checked.inputs as any);
        await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo }));
        assert.equal((await lifecyclePolicy.read(repo, created.outs as any)).id, "");
    });
});

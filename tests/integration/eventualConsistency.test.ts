/**
 * ECR creates repositories asynchronously: right after CreateRepository, calls that name the new
 * repository may answer RepositoryNotFoundException (terraform-provider-aws#3849, quoting AWS
 * support). The local endpoint's `visibilityDelay` fault models exactly that. Against it, the
 * provider's Repository, RepositoryPolicy and LifecyclePolicy must do what the engine asks right
 * after a create: read it back (refresh after up), attach policies, update it, delete it, and
 * replace it with one of the same name, without dropping it from state or leaving it behind.
 */
import * as assert from "node:assert/strict";
import {
    CreateRepositoryCommand,
    DeleteRepositoryCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
    RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as repository from "../../provider/repository";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import { ecrClient, resetClients } from "../../provider/client";
import type { PolicyInputs, PolicyOutputs } from "../../provider/repositoryAttachedPolicy";
import { describeOnEndpoints } from "../helpers/endpoints";
import { randomName } from "../helpers/names";

/** Long enough that every provider call below starts inside the window even on a loaded machine. */
const DELAY_MS = 2500;

const policyDoc = {
    Version: "2012-10-17",
    Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: ["ecr:BatchGetImage"] }],
};
const keepTen = {
    rules: [
        { rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } },
    ],
};

describeOnEndpoints(
    "eventual consistency: right after CreateRepository",
    {
        only: ["local"],
        because: "only the local endpoint can delay a new repository's visibility (the visibilityDelay fault)",
        localFaults: { repositoryVisibilityDelayMs: DELAY_MS },
    },
    (endpoint) => {
        let ecr: ECRClient;
        before(() => (ecr = endpoint.ecr()));

        async function createRepository(news: Record<string, unknown>) {
            const checked = await repository.check({}, news);
            assert.deepEqual(checked.failures, []);
            const inputs = checked.inputs as repository.RepositoryInputs;
            const outs = (await repository.create(inputs)).outs as repository.RepositoryOutputs;
            return { inputs, outs };
        }
        async function createPolicy(p: typeof repositoryPolicy | typeof lifecyclePolicy, repo: string, policy: unknown) {
            const checked = await p.check({}, { repository: repo, policy });
            assert.deepEqual(checked.failures, []);
            const inputs = checked.inputs as PolicyInputs;
            return { inputs, outs: (await p.create(inputs)).outs as PolicyOutputs };
        }
        /** Whether ECR still holds a repository named `name`, visible or not: CreateRepository is refused for a held name. */
        async function nameIsHeld(name: string): Promise<boolean> {
            try {
                await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
            } catch (e) {
                if ((e as Error).name === "RepositoryAlreadyExistsException") return true;
                throw e;
            }
            // The probe made it: remove it again (it is invisible too, so wait it out through the provider's delete).
            await repository.delete(name, {
                name,
                region: "us-east-1",
                createdAt: new Date().toISOString(),
            } as repository.RepositoryOutputs);
            return false;
        }
        /** Counts the provider's sends of `command` while `fn` runs (the initialize step runs once per send). */
        async function countingSends<T>(command: string, fn: () => Promise<T>): Promise<{ result: T; sends: number }> {
            let sends = 0;
            ecrClient("us-east-1").middlewareStack.add(
                (next, context) => async (args) => {
                    if (context.commandName === command) sends++;
                    return next(args);
                },
                { step: "initialize", name: `count${command}` },
            );
            try {
                return { result: await fn(), sends };
            } finally {
                resetClients();
            }
        }

        it("the fault is in effect: DescribeRepositories right after CreateRepository does not find the repository", async () => {
            const name = randomName("ec-fault");
            await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
            await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), RepositoryNotFoundException);
            await ecr.send(new DeleteRepositoryCommand({ repositoryName: name })).catch(() => undefined);
        });

        it("read right after create (refresh after up) keeps the repository in state, with the same outputs", async () => {
            const { inputs, outs } = await createRepository({ name: randomName("ec-read"), tags: { team: "a" } });
            assert.ok(outs.createdAt, "create records ECR's creation time in state");
            const read = await repository.read(outs.name, outs);
            assert.equal(read.id, outs.name, "a repository that is not visible yet is not gone");
            assert.deepEqual(read.props, outs);
            assert.equal((await repository.diff(outs.name, read.props as repository.RepositoryOutputs, inputs)).changes, false);
        });

        it("a RepositoryPolicy and a LifecyclePolicy put right after create succeed, and read back at once", async () => {
            const { outs } = await createRepository({ name: randomName("ec-policy") });
            const rp = await createPolicy(repositoryPolicy, outs.name, policyDoc);
            const lp = await createPolicy(lifecyclePolicy, outs.name, keepTen);
            const text = (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: outs.name }))).policyText!;
            assert.ok(repositoryPolicy.iamPoliciesEquivalent(text, rp.inputs.policy));
            const lifecycle = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: outs.name }));
            assert.equal(JSON.parse(lifecycle.lifecyclePolicyText!).rules[0].selection.countNumber, 10);
            assert.equal((await repositoryPolicy.read(outs.name, rp.outs)).id, outs.name);
            assert.equal((await lifecyclePolicy.read(outs.name, lp.outs)).id, outs.name);
        });

        it("an update right after create applies, instead of failing on RepositoryNotFoundException", async () => {
            const { inputs, outs } = await createRepository({ name: randomName("ec-update") });
            const next = (await repository.check(inputs, { name: outs.name, imageTagMutability: "IMMUTABLE" })).inputs;
            const updated = await repository.update(outs.name, outs, next as repository.RepositoryInputs);
            assert.equal((updated.outs as repository.RepositoryOutputs).imageTagMutability, "IMMUTABLE");
            const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [outs.name] }))).repositories![0];
            assert.equal(repo.imageTagMutability, "IMMUTABLE");
        });

        it("delete right after create deletes the repository instead of taking 'not found' as done", async () => {
            const { outs } = await createRepository({ name: randomName("ec-delete") });
            await repository.delete(outs.name, outs);
            assert.equal(await nameIsHeld(outs.name), false, "nothing is left behind");
        });

        it("replaces a repository with one of the same name (delete-before-replace, create, attach policies) right after it was made", async () => {
            const name = randomName("ec-replace");
            const first = await createRepository({ name });
            const rp = await createPolicy(repositoryPolicy, name, policyDoc);
            const lp = await createPolicy(lifecyclePolicy, name, keepTen);

            // GIVEN a change ECR cannot make in place, on the same name
            const next = (await repository.check(first.inputs, { name, encryptionConfigurations: [{ encryptionType: "KMS" }] }))
                .inputs as repository.RepositoryInputs;
            const d = await repository.diff(name, first.outs, next);
            assert.deepEqual(d.replaces, ["encryptionConfigurations"]);
            assert.equal(d.deleteBeforeReplace, true);

            // WHEN the engine replaces it as it does for delete-before-replace: dependents, the old one, then the new ones
            await lifecyclePolicy.delete(name, lp.outs);
            await repositoryPolicy.delete(name, rp.outs);
            await repository.delete(name, first.outs);
            const second = (await repository.create(next)).outs as repository.RepositoryOutputs;
            const rp2 = await createPolicy(repositoryPolicy, name, policyDoc);
            await createPolicy(lifecyclePolicy, name, keepTen);

            // THEN a refresh right away keeps everything, and ECR holds the new repository with its policies
            const read = await repository.read(name, second);
            assert.equal(read.id, name);
            assert.equal((read.props as repository.RepositoryOutputs).encryptionConfigurations[0].encryptionType, "KMS");
            assert.notEqual(second.createdAt, undefined);
            assert.equal((await repositoryPolicy.read(name, rp2.outs)).id, name);
            const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
            assert.equal(repo.encryptionConfiguration?.encryptionType, "KMS");
            await repository.delete(name, second);
        });

        it("a repository deleted out of band inside the window is reported gone once the window is over, not before", async () => {
            process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS = "1500";
            try {
                const { outs } = await createRepository({ name: randomName("ec-gone") });
                await repository.delete(outs.name, outs); // waits until the repository is visible, then deletes it
                const inWindow = await countingSends("DescribeRepositoriesCommand", () =>
                    repository.read(outs.name, { ...outs, createdAt: new Date().toISOString() }),
                );
                assert.equal(inWindow.result.id, "", "gone after the window");
                assert.ok(inWindow.sends > 1, `retried within the window: ${inWindow.sends} DescribeRepositories`);

                const old = new Date(Date.now() - 3_600_000).toISOString();
                const outside = await countingSends("DescribeRepositoriesCommand", () =>
                    repository.read(outs.name, { ...outs, createdAt: old }),
                );
                assert.equal(outside.result.id, "");
                assert.equal(outside.sends, 1, "outside the window, not found means gone at once");
            } finally {
                delete process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS;
            }
        });
    },
);

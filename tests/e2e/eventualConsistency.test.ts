/**
 * ECR's asynchronous creation through the real CLI: against a local endpoint whose new repositories
 * stay invisible for a while (the visibilityDelay fault; AWS support describes the behaviour in
 * terraform-provider-aws#3849), `up`, a `refresh` right after it, a same-name replacement (an
 * encryption change) with policies attached at once, and a `destroy` right after an `up` all
 * succeed, and ECR ends holding exactly what the stack says. The endpoint's request log proves each
 * step really ran while the repository was invisible.
 */
import * as assert from "node:assert/strict";
import {
    CreateRepositoryCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    GetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import type { Stack } from "@pulumi/pulumi/automation";
import { type LocalEcr, startLocalEcr } from "../../local";
import { StepLog, awsEnv, checkpointResources, openStack, removeStack, uniqueName } from "../helpers/pulumi";
import { TEST_PREFIX } from "../helpers/names";
import { REGION, fixtureDir } from "./context";

/** Longer than a CLI run takes to get from the create to the next command's first call, even on a loaded machine. */
const DELAY_MS = 15_000;
const PROJECT = "eventual-consistency";

describe("e2e: ECR's eventual consistency (new repositories invisible for a while) through the Pulumi CLI", function () {
    this.timeout(10 * 60_000);

    const stackName = uniqueName("e2e-eventual");
    const name = uniqueName(`${TEST_PREFIX}-eventual`);
    const log: string[] = [];
    let endpoint: LocalEcr;
    let ecr: ECRClient;
    let stack: Stack;

    /** Log lines written while `fn` ran. */
    const during = async <T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> => {
        const from = log.length;
        const result = await fn();
        return { result, lines: log.slice(from) };
    };
    const notFound = (lines: string[], operation: string) =>
        lines.filter((l) => l.startsWith(`${operation} 400 RepositoryNotFoundException`)).length;
    const dynamicResources = () => checkpointResources(PROJECT, stackName).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));

    before(async () => {
        endpoint = await startLocalEcr({ faults: { repositoryVisibilityDelayMs: DELAY_MS }, log: (line) => log.push(line) });
        ecr = new ECRClient({
            endpoint: endpoint.url,
            region: REGION,
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        stack = await openStack({
            dir: fixtureDir(PROJECT),
            stackName,
            // The production window, stated: inline programs share this process's environment, and
            // another e2e file may have shortened it for an endpoint that needs none.
            env: { ...awsEnv(endpoint.url, REGION), PULUMI_ECR_VISIBILITY_TIMEOUT_MS: "60000" },
            config: { "aws:region": REGION, repositoryName: name },
        });
    });

    after(async () => {
        await stack?.destroy().catch(() => undefined);
        await removeStack(stack);
        ecr?.destroy();
        await endpoint?.stop();
    });

    it("up creates the repository; a refresh right after keeps it in state instead of dropping it as gone", async () => {
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");

        const { result: refresh, lines } = await during(() => stack.refresh());
        assert.ok(notFound(lines, "DescribeRepositories") > 0, "the refresh ran while the repository was still invisible");
        assert.equal(refresh.summary.resourceChanges?.delete ?? 0, 0, JSON.stringify(refresh.summary.resourceChanges));
        assert.deepEqual(
            dynamicResources().map((r) => r.id),
            [name],
            "state still holds the repository",
        );
    });

    it("an encryption change replaces the repository under the same name, and attaches policies right after the create", async () => {
        await stack.setAllConfig({ encryptionType: { value: "KMS" }, withPolicies: { value: "true" } });
        const steps = new StepLog();
        const { result: up, lines } = await during(() => stack.up({ onEvent: steps.onEvent }));
        assert.equal(up.summary.result, "succeeded");
        const ops = steps.opsOf("Repository");
        assert.ok(ops.includes("delete-replaced") && ops.includes("create-replacement"), `Repository ops: ${ops}`);
        assert.deepEqual(steps.opsOf("RepositoryPolicy"), ["create"]);
        assert.deepEqual(steps.opsOf("LifecyclePolicy"), ["create"]);
        assert.ok(
            notFound(lines, "SetRepositoryPolicy") + notFound(lines, "PutLifecyclePolicy") > 0,
            "the policies were put while the new repository was invisible",
        );

        const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
        assert.equal(repo.encryptionConfiguration?.encryptionType, "KMS");
        assert.ok((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText);
        assert.ok((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }))).lifecyclePolicyText);
        assert.equal(dynamicResources().length, 3);
    });

    it("a destroy right after an up deletes the just-created repository instead of leaving it behind", async () => {
        // Back to AES256 without policies: the up ends right after the new repository's CreateRepository.
        await stack.setAllConfig({ encryptionType: { value: "AES256" }, withPolicies: { value: "false" } });
        const up = await stack.up();
        assert.equal(up.summary.result, "succeeded");

        const { result: destroy, lines } = await during(() => stack.destroy());
        assert.equal(destroy.summary.result, "succeeded");
        assert.ok(notFound(lines, "DeleteRepository") > 0, "the delete ran while the repository was still invisible");
        assert.deepEqual(dynamicResources(), []);
        // Invisible or gone look alike to DescribeRepositories; CreateRepository tells them apart.
        const probe = await ecr.send(new CreateRepositoryCommand({ repositoryName: name })).then(
            () => "created",
            (e: Error) => e.name,
        );
        assert.equal(probe, "created", "ECR no longer holds the repository: nothing was left behind");
    });
});

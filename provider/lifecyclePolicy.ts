/**
 * ECR Lifecycle Policy: rules that expire images. Follows `aws.ecr.LifecyclePolicy`. Rules are
 * validated before any AWS call and compared in priority order, never as text.
 */
import {
    DeleteLifecyclePolicyCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    PutLifecyclePolicyCommand,
} from "@aws-sdk/client-ecr";
import { NotFoundError, isA } from "./errors";
import { lifecyclePoliciesEquivalent, validateLifecyclePolicy } from "./policy";
import { policyProvider } from "./policyResource";
import { createVisibilityTimeoutMs, retryWhile } from "./retry";

/** The repository's lifecycle policy text, or NotFoundError when the repository or the policy is gone. */
export async function findLifecyclePolicyByRepositoryName(
    client: ECRClient,
    repository: string,
    registryId?: string,
): Promise<{ policy: string; registryId: string }> {
    try {
        const out = await client.send(new GetLifecyclePolicyCommand({ repositoryName: repository, registryId }));
        if (!out.lifecyclePolicyText) throw new NotFoundError(`ECR Lifecycle Policy (${repository}) not found`);
        return { policy: out.lifecyclePolicyText, registryId: out.registryId ?? "" };
    } catch (e) {
        if (isA(e, "LifecyclePolicyNotFoundException", "RepositoryNotFoundException")) {
            throw new NotFoundError(`ECR Lifecycle Policy (${repository}) not found`, { cause: e });
        }
        throw e;
    }
}

const provider = policyProvider({
    kind: "Lifecycle Policy",
    validate: validateLifecyclePolicy,
    equivalent: lifecyclePoliciesEquivalent,
    find: findLifecyclePolicyByRepositoryName,
    async put(client, inputs, { creating, registryId }) {
        const out = await retryWhile(
            () =>
                client.send(new PutLifecyclePolicyCommand({ repositoryName: inputs.repository, registryId, lifecyclePolicyText: inputs.policy })),
            (e) => creating && isA(e, "RepositoryNotFoundException"),
            { timeoutMs: createVisibilityTimeoutMs() },
        );
        return { registryId: out.registryId ?? "" };
    },
    async remove(client, repository, registryId) {
        try {
            await client.send(new DeleteLifecyclePolicyCommand({ repositoryName: repository, registryId }));
        } catch (e) {
            if (!isA(e, "LifecyclePolicyNotFoundException", "RepositoryNotFoundException")) throw e;
        }
    },
});

// This module's exports are the dynamic provider (see provider/index.ts).
export const { check, diff, create, read, update } = provider;
const remove = provider.delete;
export { remove as delete };
export { configure } from "./client";

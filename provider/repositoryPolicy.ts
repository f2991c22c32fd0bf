/**
 * ECR Repository Policy: a resource-based IAM policy on one repository. Follows
 * `aws.ecr.RepositoryPolicy`. SetRepositoryPolicy retries, for a bounded time, only on IAM's
 * propagation error, and on create only while the repository itself is not yet visible.
 */
import {
    DeleteRepositoryPolicyCommand,
    ECRClient,
    GetRepositoryPolicyCommand,
    SetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import { NotFoundError, isA } from "./errors";
import { iamPoliciesEquivalent, validateIamPolicy } from "./policy";
import { policyProvider } from "./policyResource";
import { createVisibilityTimeoutMs, iamPropagationTimeoutMs, isIamPropagationError, retryWhile } from "./retry";

/** The repository's policy text, or NotFoundError when the repository or the policy is gone. */
export async function findRepositoryPolicyByRepositoryName(
    client: ECRClient,
    repository: string,
    registryId?: string,
): Promise<{ policy: string; registryId: string }> {
    try {
        const out = await client.send(new GetRepositoryPolicyCommand({ repositoryName: repository, registryId }));
        if (!out.policyText) throw new NotFoundError(`ECR Repository Policy (${repository}) not found`);
        return { policy: out.policyText, registryId: out.registryId ?? "" };
    } catch (e) {
        if (isA(e, "RepositoryPolicyNotFoundException", "RepositoryNotFoundException")) {
            throw new NotFoundError(`ECR Repository Policy (${repository}) not found`, { cause: e });
        }
        throw e;
    }
}

const provider = policyProvider({
    kind: "Repository Policy",
    validate: validateIamPolicy,
    equivalent: iamPoliciesEquivalent,
    find: findRepositoryPolicyByRepositoryName,
    async put(client, inputs, { creating, registryId }) {
        const retryable = (e: unknown) => isIamPropagationError(e) || (creating && isA(e, "RepositoryNotFoundException"));
        const out = await retryWhile(
            () => client.send(new SetRepositoryPolicyCommand({ repositoryName: inputs.repository, registryId, policyText: inputs.policy })),
            retryable,
            { timeoutMs: creating ? Math.max(iamPropagationTimeoutMs(), createVisibilityTimeoutMs()) : iamPropagationTimeoutMs() },
        );
        return { registryId: out.registryId ?? "" };
    },
    async remove(client, repository, registryId) {
        try {
            await client.send(new DeleteRepositoryPolicyCommand({ repositoryName: repository, registryId }));
        } catch (e) {
            if (!isA(e, "RepositoryPolicyNotFoundException", "RepositoryNotFoundException")) throw e;
        }
    },
});

// This module's exports are the dynamic provider (see provider/index.ts).
export const { check, diff, create, read, update } = provider;
const remove = provider.delete;
export { remove as delete };
export { configure } from "./client";

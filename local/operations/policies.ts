/**
 * Operations on the two policy documents a repository holds: its repository policy (IAM) and its
 * lifecycle policy. The document rules live in `../policyValidation.ts`.
 */
import { EcrException, invalidParameter } from "../exceptions";
import { checkLifecyclePolicy, checkRepositoryPolicy } from "../policyValidation";
import type { Repository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, requestedRepository } from "./common";

const SetRepositoryPolicy: Operation = (ctx, input) => {
    const text = v.requireString(input, "policyText");
    if (text.length > 10240) throw invalidParameter("policyText", "Member must have length less than or equal to 10240");
    v.optionalBoolean(input, "force");
    const repo = requestedRepository(ctx, input);
    checkRepositoryPolicy(text);
    repo.policyText = text;
    ctx.store.saveRepository(repo);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, policyText: text };
};

/** A policy a repository holds in one of its fields; Get and Delete work the same for both kinds. */
interface PolicySlot {
    field: "policyText" | "lifecyclePolicyText";
    notFound: string;
    label: string;
}

const REPOSITORY_POLICY: PolicySlot = { field: "policyText", notFound: "RepositoryPolicyNotFoundException", label: "Repository policy" };

const LIFECYCLE_POLICY: PolicySlot = {
    field: "lifecyclePolicyText",
    notFound: "LifecyclePolicyNotFoundException",
    label: "Lifecycle policy",
};

function storedPolicy(ctx: ApiContext, input: Json, slot: PolicySlot): { repo: Repository; text: string } {
    const repo = requestedRepository(ctx, input);
    const text = repo[slot.field];
    if (text === undefined) {
        throw new EcrException(
            slot.notFound,
            `${slot.label} does not exist for the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    return { repo, text };
}

const getPolicy =
    (slot: PolicySlot): Operation =>
    (ctx, input) => {
        const { repo, text } = storedPolicy(ctx, input, slot);
        return { registryId: ctx.config.accountId, repositoryName: repo.name, [slot.field]: text };
    };

const deletePolicy =
    (slot: PolicySlot): Operation =>
    (ctx, input) => {
        const { repo, text } = storedPolicy(ctx, input, slot);
        delete repo[slot.field];
        ctx.store.saveRepository(repo);
        return { registryId: ctx.config.accountId, repositoryName: repo.name, [slot.field]: text };
    };

const GetRepositoryPolicy = getPolicy(REPOSITORY_POLICY);

const DeleteRepositoryPolicy = deletePolicy(REPOSITORY_POLICY);

const GetLifecyclePolicy = getPolicy(LIFECYCLE_POLICY);

const DeleteLifecyclePolicy = deletePolicy(LIFECYCLE_POLICY);

const PutLifecyclePolicy: Operation = (ctx, input) => {
    const text = v.requireString(input, "lifecyclePolicyText");
    if (text.length < 100 || text.length > 30720) {
        throw invalidParameter("lifecyclePolicyText", "Member must have length between 100 and 30720");
    }
    const repo = requestedRepository(ctx, input);
    checkLifecyclePolicy(text);
    repo.lifecyclePolicyText = text;
    ctx.store.saveRepository(repo);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, lifecyclePolicyText: text };
};

/** Repository-policy and lifecycle-policy operations by name. */
export const policyOperations: OperationTable = {
    SetRepositoryPolicy,
    GetRepositoryPolicy,
    DeleteRepositoryPolicy,
    PutLifecyclePolicy,
    GetLifecyclePolicy,
    DeleteLifecyclePolicy,
};

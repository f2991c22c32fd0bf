/**
 * What runs inside the dynamic-provider process, and the finders the program-side readers
 * (sdk/readers/) share.
 *
 * Each resource's provider is a module of its own (`repository`, `repositoryPolicy`,
 * `lifecyclePolicy`) whose exports are the provider methods. The SDK hands that module object to
 * the engine; Pulumi's closure serializer stores a module that lives in node_modules as a bare
 * `require("pulumi-ecr/provider/<kind>")`, so state holds a few hundred bytes per resource and the
 * AWS SDK is loaded at run time, never captured.
 */
export { configure, ecrClient, resolveRegion } from "./client";
export { EcrError, NotFoundError, isA, notFound } from "./errors";
export { Json, JsonObject, canonicalJson, parsePolicy } from "./policyDocument";
export { UNKNOWN, containsUnknown } from "./validate";
export {
    ENCRYPTION_TYPES,
    EXCLUSION_FILTER_TYPES,
    IMAGE_TAG_MUTABILITIES,
    REPOSITORY_GONE,
    findRepositoryByName,
    findRepositoryTags,
    repositoryState,
} from "./repository";
export {
    REPOSITORY_POLICY_GONE,
    findRepositoryPolicyByRepositoryName,
    iamPoliciesEquivalent,
    normalizeIamPolicy,
    validateIamPolicy,
} from "./repositoryPolicy";
export {
    LIFECYCLE_ACTION_TYPES,
    LIFECYCLE_COUNT_TYPES,
    LIFECYCLE_POLICY_GONE,
    LIFECYCLE_TAG_STATUSES,
    findLifecyclePolicyByRepositoryName,
    lifecyclePoliciesEquivalent,
    normalizeLifecyclePolicy,
    validateLifecyclePolicy,
} from "./lifecyclePolicy";

/**
 * Registry data sources: `getRegistryPolicy`, `getReplicationConfiguration`,
 * `getRegistryScanningConfiguration`, `getPullThroughCacheRule`, `getRepositoryCreationTemplate`
 * and the pure `getLifecyclePolicyDocument`, each with its `...Output` form. Names, arguments and
 * results follow `aws.ecr` where it has the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputArgs, invokeOutput, withStackRegion } from "./dataSource";
import {
    GetLifecyclePolicyDocumentArgs,
    GetLifecyclePolicyDocumentResult,
    GetPullThroughCacheRuleArgs,
    GetPullThroughCacheRuleResult,
    GetRegistryPolicyResult,
    GetRegistryScanningConfigurationResult,
    GetReplicationConfigurationResult,
    GetRepositoryCreationTemplateArgs,
    GetRepositoryCreationTemplateResult,
    LifecyclePolicyDocumentRule,
    RegistryReadArgs,
    lifecyclePolicyDocument,
    readPullThroughCacheRule,
    readRegistryPolicy,
    readRegistryScanningConfiguration,
    readReplicationConfiguration,
    readRepositoryCreationTemplate,
} from "./readers/registry";

export type {
    GetLifecyclePolicyDocumentArgs,
    GetLifecyclePolicyDocumentResult,
    GetPullThroughCacheRuleArgs,
    GetPullThroughCacheRuleResult,
    GetRegistryPolicyResult,
    GetRegistryScanningConfigurationResult,
    GetReplicationConfigurationResult,
    GetRepositoryCreationTemplateArgs,
    GetRepositoryCreationTemplateResult,
    LifecyclePolicyDocumentRule,
    RegistryReadArgs,
};

/** Arguments of the registry-wide `...Output` reads: `region`, as an `Input`. */
export interface RegistryReadOutputArgs extends InputArgs<RegistryReadArgs> {}
/** Arguments of {@link getPullThroughCacheRuleOutput}. */
export interface GetPullThroughCacheRuleOutputArgs extends InputArgs<GetPullThroughCacheRuleArgs> {}
/** Arguments of {@link getRepositoryCreationTemplateOutput}. */
export interface GetRepositoryCreationTemplateOutputArgs extends InputArgs<GetRepositoryCreationTemplateArgs> {}
/** Arguments of {@link getLifecyclePolicyDocumentOutput}: the rules, each an `Input`. */
export interface GetLifecyclePolicyDocumentOutputArgs {
    rules: pulumi.Input<pulumi.Input<LifecyclePolicyDocumentRule>[]>;
}

/**
 * Typed lifecycle rules to canonical lifecycle-policy JSON, validated exactly as LifecyclePolicy's
 * `check()` validates (tag patterns and prefixes, every count type including `sinceImagePulled`,
 * `transition` actions with their storage class). Pure: no AWS call; bad rules throw naming the rule.
 *
 * @example
 * const doc = await ecr.getLifecyclePolicyDocument({ rules: [{ priority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 } }] });
 * new ecr.LifecyclePolicy("app", { repository: repo.name, policy: doc.json });
 */
export async function getLifecyclePolicyDocument(
    args: GetLifecyclePolicyDocumentArgs,
    _opts?: pulumi.InvokeOptions,
): Promise<GetLifecyclePolicyDocumentResult> {
    return lifecyclePolicyDocument(args);
}

/** {@link getLifecyclePolicyDocument} over `Input` rules, as an `Output`. */
export function getLifecyclePolicyDocumentOutput(
    args: GetLifecyclePolicyDocumentOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetLifecyclePolicyDocumentResult> {
    return invokeOutput(args, opts, getLifecyclePolicyDocument);
}

/**
 * The registry's policy. One GetRegistryPolicy call; a registry without a policy is an error that says so.
 *
 * @example
 * const { policy } = await ecr.getRegistryPolicy();
 */
export function getRegistryPolicy(args: RegistryReadArgs = {}, _opts?: pulumi.InvokeOptions): Promise<GetRegistryPolicyResult> {
    return readRegistryPolicy(withStackRegion(args));
}

/** {@link getRegistryPolicy} over `Input` arguments, as an `Output`. */
export function getRegistryPolicyOutput(
    args: RegistryReadOutputArgs = {},
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetRegistryPolicyResult> {
    return invokeOutput(args, opts, getRegistryPolicy);
}

/** The registry's replication rules. One DescribeRegistry call; no replication is an empty rule list. */
export function getReplicationConfiguration(
    args: RegistryReadArgs = {},
    _opts?: pulumi.InvokeOptions,
): Promise<GetReplicationConfigurationResult> {
    return readReplicationConfiguration(withStackRegion(args));
}

/** {@link getReplicationConfiguration} over `Input` arguments, as an `Output`. */
export function getReplicationConfigurationOutput(
    args: RegistryReadOutputArgs = {},
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetReplicationConfigurationResult> {
    return invokeOutput(args, opts, getReplicationConfiguration);
}

/** The registry's scanning configuration. One GetRegistryScanningConfiguration call. */
export function getRegistryScanningConfiguration(
    args: RegistryReadArgs = {},
    _opts?: pulumi.InvokeOptions,
): Promise<GetRegistryScanningConfigurationResult> {
    return readRegistryScanningConfiguration(withStackRegion(args));
}

/** {@link getRegistryScanningConfiguration} over `Input` arguments, as an `Output`. */
export function getRegistryScanningConfigurationOutput(
    args: RegistryReadOutputArgs = {},
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetRegistryScanningConfigurationResult> {
    return invokeOutput(args, opts, getRegistryScanningConfiguration);
}

/**
 * One pull through cache rule by its prefix. One DescribePullThroughCacheRules call; a missing rule is an error that names it.
 *
 * @example
 * const hub = await ecr.getPullThroughCacheRule({ ecrRepositoryPrefix: "docker-hub" });
 */
export function getPullThroughCacheRule(
    args: GetPullThroughCacheRuleArgs,
    _opts?: pulumi.InvokeOptions,
): Promise<GetPullThroughCacheRuleResult> {
    return readPullThroughCacheRule(withStackRegion(args));
}

/** {@link getPullThroughCacheRule} over `Input` arguments, as an `Output`. */
export function getPullThroughCacheRuleOutput(
    args: GetPullThroughCacheRuleOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetPullThroughCacheRuleResult> {
    return invokeOutput(args, opts, getPullThroughCacheRule);
}

/** One repository creation template by its prefix. One DescribeRepositoryCreationTemplates call; a missing template is an error that names it. */
export function getRepositoryCreationTemplate(
    args: GetRepositoryCreationTemplateArgs,
    _opts?: pulumi.InvokeOptions,
): Promise<GetRepositoryCreationTemplateResult> {
    return readRepositoryCreationTemplate(withStackRegion(args));
}

/** {@link getRepositoryCreationTemplate} over `Input` arguments, as an `Output`. */
export function getRepositoryCreationTemplateOutput(
    args: GetRepositoryCreationTemplateOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetRepositoryCreationTemplateResult> {
    return invokeOutput(args, opts, getRepositoryCreationTemplate);
}

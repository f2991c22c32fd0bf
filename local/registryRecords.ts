/**
 * The registry-level records the store keeps next to the repositories: registry policy,
 * replication and scanning configurations, pull through cache rules, creation templates,
 * account settings and pull-time update exclusions. Persisted as one `registry.json`.
 */
import type { ExclusionFilter } from "./store";
import type { ResourceTag } from "./validate";

/** A pull through cache rule as stored (the shape CreatePullThroughCacheRule answers with). */
export interface PullThroughCacheRuleRecord {
    ecrRepositoryPrefix: string;
    upstreamRegistryUrl: string;
    upstreamRegistry: string;
    upstreamRepositoryPrefix: string;
    credentialArn?: string;
    customRoleArn?: string;
    /** Epoch milliseconds. */
    createdAt: number;
    updatedAt: number;
}

/** A repository creation template as stored (the `RepositoryCreationTemplate` shape, times in ms). */
export interface CreationTemplateRecord {
    prefix: string;
    description?: string;
    encryptionConfiguration: { encryptionType: string; kmsKey?: string };
    resourceTags: ResourceTag[];
    imageTagMutability: string;
    imageTagMutabilityExclusionFilters?: ExclusionFilter[];
    repositoryPolicy?: string;
    lifecyclePolicy?: string;
    appliedFor: string[];
    customRoleArn?: string;
    createdAt: number;
    updatedAt: number;
}

/** Everything that belongs to the registry rather than to one repository. */
export interface RegistryRecord {
    policyText?: string;
    replicationRules: unknown[];
    scanning: { scanType: string; rules: unknown[] };
    pullThroughCacheRules: Record<string, PullThroughCacheRuleRecord>;
    creationTemplates: Record<string, CreationTemplateRecord>;
    /** Account settings set explicitly; the others have their defaults. */
    accountSettings: Record<string, string>;
    /** principalArn -> epoch ms it was registered. */
    pullTimeUpdateExclusions: Record<string, number>;
}

/** The settings of a registry nobody has configured yet (what ECR reports for a new account). */
export function emptyRegistry(): RegistryRecord {
    return {
        replicationRules: [],
        scanning: { scanType: "BASIC", rules: [] },
        pullThroughCacheRules: {},
        creationTemplates: {},
        accountSettings: {},
        pullTimeUpdateExclusions: {},
    };
}

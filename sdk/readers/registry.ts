/**
 * Readers for the registry half: the registry policy, replication and scanning configurations,
 * pull through cache rules and creation templates, plus `lifecyclePolicyDocument`, which is pure.
 * They run in the program's own process and reuse the resources' finders and state mappings from
 * provider/, so a value read here has the fields of the managed resource's outputs.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { assertValid, clientFor } from "./common";
import { wrap } from "../../provider/errors";
import {
    type LifecycleActionType,
    type LifecycleCountType,
    type LifecycleStorageClass,
    type LifecycleTagStatus,
    type LifecycleTargetStorageClass,
    normalizeLifecyclePolicy,
    validateLifecyclePolicy,
} from "../../provider/lifecyclePolicy";
import type { OpenString } from "../documents";
import { Json, canonicalJson, parsePolicy } from "../../provider/policyDocument";
import {
    PullThroughCacheRuleOutputs,
    checkRepositoryPrefix,
    findPullThroughCacheRuleByPrefix,
    pullThroughCacheRuleState,
} from "../../provider/pullThroughCacheRule";
import { findRegistryPolicy } from "../../provider/registryPolicy";
import { ScanningRule, findRegistryScanningConfiguration } from "../../provider/registryScanningConfiguration";
import { ReplicationRuleShape, findReplicationConfiguration } from "../../provider/replicationConfiguration";
import {
    RepositoryCreationTemplateOutputs,
    findRepositoryCreationTemplateByPrefix,
    templateState,
} from "../../provider/repositoryCreationTemplate";
import { Failures } from "../../provider/validate";

/** Arguments every registry-wide read takes. */
export interface RegistryReadArgs {
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getRegistryPolicy` returns. */
export interface GetRegistryPolicyResult {
    /** The registry id (as `id`). */
    id: string;
    registryId: string;
    /** The policy as canonical JSON (sorted keys, no whitespace). */
    policy: string;
    region: string;
}

/** What `getReplicationConfiguration` returns. An empty rule list means no replication. */
export interface GetReplicationConfigurationResult {
    id: string;
    registryId: string;
    /** The rules, each with destinations and filters sorted. */
    replicationConfiguration: { rules: ReplicationRuleShape[] };
    region: string;
}

/** What `getRegistryScanningConfiguration` returns. */
export interface GetRegistryScanningConfigurationResult {
    id: string;
    registryId: string;
    scanType: string;
    rules: ScanningRule[];
    region: string;
}

/** Arguments of `getPullThroughCacheRule`; names follow `aws.ecr.getPullThroughCacheRule`. */
export interface GetPullThroughCacheRuleArgs extends RegistryReadArgs {
    /** The rule's repository prefix (`ROOT` for the root rule). */
    ecrRepositoryPrefix: string;
}
/** What `getPullThroughCacheRule` returns: the resource's outputs, with `id` the prefix. */
export interface GetPullThroughCacheRuleResult extends PullThroughCacheRuleOutputs {
    id: string;
}

/** Arguments of `getRepositoryCreationTemplate`; names follow `aws.ecr.getRepositoryCreationTemplate`. */
export interface GetRepositoryCreationTemplateArgs extends RegistryReadArgs {
    /** The template's prefix (`ROOT` for the root template). */
    prefix: string;
}
/** What `getRepositoryCreationTemplate` returns: the resource's outputs, with `id` the prefix. */
export interface GetRepositoryCreationTemplateResult extends RepositoryCreationTemplateOutputs {
    id: string;
}

/** One lifecycle rule as `aws.ecr.getLifecyclePolicyDocument` takes it. */
export interface LifecyclePolicyDocumentRule {
    /** 1 to 999, unique; lower runs first. */
    priority: number;
    description?: string;
    selection: {
        tagStatus: OpenString<LifecycleTagStatus>;
        tagPatternLists?: string[];
        tagPrefixLists?: string[];
        countType: OpenString<LifecycleCountType>;
        countUnit?: string;
        countNumber: number;
        storageClass?: OpenString<LifecycleStorageClass>;
    };
    /** @default { type: "expire" } */
    action?: { type: OpenString<LifecycleActionType>; targetStorageClass?: OpenString<LifecycleTargetStorageClass> };
}
/** Arguments of `getLifecyclePolicyDocument`. */
export interface GetLifecyclePolicyDocumentArgs {
    rules: LifecyclePolicyDocumentRule[];
}
/** What `getLifecyclePolicyDocument` returns. */
export interface GetLifecyclePolicyDocumentResult {
    /** The canonical JSON (as `id`). */
    id: string;
    /** The lifecycle policy as canonical JSON: rules by priority, keys sorted, no whitespace. */
    json: string;
    rules: LifecyclePolicyDocumentRule[];
}

function checkRegion(fn: string, args: RegistryReadArgs | undefined): void {
    const f = new Failures();
    f.region("region", args?.region);
    assertValid(fn, f);
}

/** The registry's policy (GetRegistryPolicy). A registry without one is an error that says so. */
export async function readRegistryPolicy(args: RegistryReadArgs = {}, client?: ECRClient): Promise<GetRegistryPolicyResult> {
    checkRegion("getRegistryPolicy", args);
    const { client: c, region } = await clientFor(args.region, client);
    const found = await wrap("reading", "Registry Policy", region, () => findRegistryPolicy(c));
    const parsed = parsePolicy(found.policy);
    return {
        id: found.registryId,
        registryId: found.registryId,
        policy: "error" in parsed ? found.policy : canonicalJson(parsed.doc),
        region,
    };
}

/** The registry's replication rules (DescribeRegistry). */
export async function readReplicationConfiguration(
    args: RegistryReadArgs = {},
    client?: ECRClient,
): Promise<GetReplicationConfigurationResult> {
    checkRegion("getReplicationConfiguration", args);
    const { client: c, region } = await clientFor(args.region, client);
    const found = await wrap("reading", "Replication Configuration", region, () => findReplicationConfiguration(c));
    return { id: found.registryId, registryId: found.registryId, replicationConfiguration: { rules: found.rules }, region };
}

/** The registry's scanning configuration (GetRegistryScanningConfiguration). */
export async function readRegistryScanningConfiguration(
    args: RegistryReadArgs = {},
    client?: ECRClient,
): Promise<GetRegistryScanningConfigurationResult> {
    checkRegion("getRegistryScanningConfiguration", args);
    const { client: c, region } = await clientFor(args.region, client);
    const found = await wrap("reading", "Registry Scanning Configuration", region, () => findRegistryScanningConfiguration(c));
    return { id: found.registryId, ...found, region };
}

/** One pull through cache rule by prefix (DescribePullThroughCacheRules). A missing rule is an error that names it. */
export async function readPullThroughCacheRule(
    args: GetPullThroughCacheRuleArgs,
    client?: ECRClient,
): Promise<GetPullThroughCacheRuleResult> {
    const f = new Failures();
    checkRepositoryPrefix(f, "ecrRepositoryPrefix", args?.ecrRepositoryPrefix, 30);
    f.region("region", args?.region);
    assertValid("getPullThroughCacheRule", f);
    const { client: c, region } = await clientFor(args.region, client);
    const rule = await wrap("reading", "Pull Through Cache Rule", args.ecrRepositoryPrefix, () =>
        findPullThroughCacheRuleByPrefix(c, args.ecrRepositoryPrefix),
    );
    return { id: args.ecrRepositoryPrefix, ...pullThroughCacheRuleState(rule, region) };
}

/** One creation template by prefix (DescribeRepositoryCreationTemplates). A missing template is an error that names it. */
export async function readRepositoryCreationTemplate(
    args: GetRepositoryCreationTemplateArgs,
    client?: ECRClient,
): Promise<GetRepositoryCreationTemplateResult> {
    const f = new Failures();
    checkRepositoryPrefix(f, "prefix", args?.prefix, 256);
    f.region("region", args?.region);
    assertValid("getRepositoryCreationTemplate", f);
    const { client: c, region } = await clientFor(args.region, client);
    const found = await wrap("reading", "Repository Creation Template", args.prefix, () =>
        findRepositoryCreationTemplateByPrefix(c, args.prefix),
    );
    return { id: args.prefix, ...templateState(found.template, found.registryId, region) };
}

/**
 * Typed rules to canonical lifecycle JSON, validated by the same rules as LifecyclePolicy's
 * `check()` (provider/'s `validateLifecyclePolicy`). Pure: no AWS call.
 */
export function lifecyclePolicyDocument(args: GetLifecyclePolicyDocumentArgs): GetLifecyclePolicyDocumentResult {
    const f = new Failures();
    if (!args || !Array.isArray(args.rules) || args.rules.length === 0) {
        f.add("rules", "needs at least one rule: { priority, selection: { tagStatus, countType, countNumber, ... }, action? }");
        assertValid("getLifecyclePolicyDocument", f);
    }
    const rules = args.rules.map((r) => {
        const s = r?.selection ?? ({} as LifecyclePolicyDocumentRule["selection"]);
        const rule: { [k: string]: Json | undefined } = {
            rulePriority: r?.priority,
            description: r?.description,
            selection: {
                tagStatus: s.tagStatus,
                tagPatternList: s.tagPatternLists,
                tagPrefixList: s.tagPrefixLists,
                countType: s.countType,
                countUnit: s.countUnit,
                countNumber: s.countNumber,
                storageClass: s.storageClass,
            } as Json,
            action: (r?.action ?? { type: "expire" }) as Json,
        };
        return JSON.parse(JSON.stringify(rule)) as Json; // drops the keys left undefined
    });
    // The validator speaks the document's names (rulePriority, tagPatternList); name the arguments.
    const argumentNames = (problem: string) =>
        problem
            .replace(/\.rulePriority\b/g, ".priority")
            .replace(/\btagPatternList\b/g, "tagPatternLists")
            .replace(/\btagPrefixList\b/g, "tagPrefixLists");
    for (const problem of validateLifecyclePolicy({ rules })) {
        const m = /^(rules\[\d+\](?:\.[a-zA-Z]+|\[\d+\])*)\s*:?\s*(.*)$/.exec(argumentNames(problem));
        if (m && m[1] !== "") f.add(m[1], m[2]);
        else f.add("rules", argumentNames(problem));
    }
    assertValid("getLifecyclePolicyDocument", f);
    const json = canonicalJson(normalizeLifecyclePolicy({ rules }));
    return { id: json, json, rules: args.rules };
}

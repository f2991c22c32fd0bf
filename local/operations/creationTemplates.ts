/**
 * Repository creation templates: the settings ECR gives a repository it creates on the user's
 * behalf. Kept and checked as ECR checks them, and applied here for CREATE_ON_PUSH: a push
 * through `/v2/` to a missing repository under a template's prefix creates it (`createOnPush`).
 */
import { EcrException, invalidParameter } from "../exceptions";
import { checkIamPolicyDocument, checkLifecyclePolicy } from "../policyValidation";
import type { CreationTemplateRecord } from "../registryRecords";
import type { Repository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, paginate, seconds } from "./common";
import { TEMPLATE_PREFIX, repositoryPrefix, underPrefix } from "./pullThroughCache";
import { CreateRepository, exclusionFilters, mutabilityOf } from "./repositories";

const APPLIED_FOR = ["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"];
const ENCRYPTION_TYPES = ["AES256", "KMS", "KMS_DSSE"];
const KMS_KEY_RE = /^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+/;
const MAX_TAGS = 50;

function templateNotFound(ctx: ApiContext, prefix: string): EcrException {
    return new EcrException(
        "TemplateNotFoundException",
        `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${ctx.config.accountId}'`,
    );
}

function templateView(t: CreationTemplateRecord): Json {
    const out: Json = {
        prefix: t.prefix,
        encryptionConfiguration: { ...t.encryptionConfiguration },
        resourceTags: t.resourceTags.map((x) => ({ ...x })),
        imageTagMutability: t.imageTagMutability,
        appliedFor: [...t.appliedFor],
        createdAt: seconds(t.createdAt),
        updatedAt: seconds(t.updatedAt),
    };
    if (t.description !== undefined) out.description = t.description;
    if (t.imageTagMutabilityExclusionFilters)
        out.imageTagMutabilityExclusionFilters = t.imageTagMutabilityExclusionFilters.map((f) => ({ ...f }));
    if (t.repositoryPolicy !== undefined) out.repositoryPolicy = t.repositoryPolicy;
    if (t.lifecyclePolicy !== undefined) out.lifecyclePolicy = t.lifecyclePolicy;
    if (t.customRoleArn !== undefined) out.customRoleArn = t.customRoleArn;
    return out;
}

/**
 * Applies the members a Create/Update request gives onto `t`, checking each as ECR does. An empty
 * `repositoryPolicy`/`lifecyclePolicy`/`description` clears it (how Update removes one).
 */
function applyMembers(t: CreationTemplateRecord, input: Json, creating: boolean): void {
    const description = v.optionalString(input, "description");
    if (description !== undefined) {
        if (description.length > 256) throw invalidParameter("description", "Member must have length less than or equal to 256");
        if (description === "") delete t.description;
        else t.description = description;
    }
    const applied = creating ? v.requireArray(input, "appliedFor", 1, 3) : v.optionalArray(input, "appliedFor", 1, 3);
    if (applied) {
        for (const a of applied) {
            if (typeof a !== "string" || !APPLIED_FOR.includes(a)) {
                throw invalidParameter("appliedFor", `Member must satisfy enum value set: [${APPLIED_FOR.join(", ")}]`);
            }
        }
        t.appliedFor = [...new Set(applied as string[])];
    }
    const enc = v.optionalObject(input, "encryptionConfiguration");
    if (enc) {
        const type = v.requireString(enc, "encryptionType");
        if (!ENCRYPTION_TYPES.includes(type)) {
            throw invalidParameter(
                "encryptionConfiguration.encryptionType",
                `Member must satisfy enum value set: [${ENCRYPTION_TYPES.join(", ")}]`,
            );
        }
        const kmsKey = v.optionalString(enc, "kmsKey");
        if (kmsKey !== undefined && (kmsKey.length > 2048 || !KMS_KEY_RE.test(kmsKey))) {
            throw invalidParameter(
                "encryptionConfiguration.kmsKey",
                "must satisfy regular expression '^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\\/[a-z0-9-]+'",
            );
        }
        if (type === "AES256" && kmsKey) {
            throw invalidParameter("encryptionConfiguration", "KMS key should not be specified when encryptionType is AES256");
        }
        t.encryptionConfiguration = kmsKey ? { encryptionType: type, kmsKey } : { encryptionType: type };
    }
    const tags = v.optionalArray(input, "resourceTags", 0, 200);
    if (tags) {
        const parsed = v.resourceTags(tags, "resourceTags");
        const deduped = [...new Map(parsed.map((x) => [x.Key, x])).values()];
        if (deduped.length > MAX_TAGS) throw new EcrException("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
        t.resourceTags = deduped;
    }
    const mutability = mutabilityOf(input, false);
    if (mutability !== undefined || input.imageTagMutabilityExclusionFilters !== undefined) {
        const effective = mutability ?? t.imageTagMutability;
        const filters = exclusionFilters(input, effective);
        t.imageTagMutability = effective;
        if (filters) t.imageTagMutabilityExclusionFilters = filters;
        else delete t.imageTagMutabilityExclusionFilters;
    }
    const policy = v.optionalString(input, "repositoryPolicy");
    if (policy !== undefined) {
        if (policy.length > 10240) throw invalidParameter("repositoryPolicy", "Member must have length less than or equal to 10240");
        if (policy === "") delete t.repositoryPolicy;
        else {
            checkIamPolicyDocument(policy, "repositoryPolicy", "repository policy");
            t.repositoryPolicy = policy;
        }
    }
    const lifecycle = v.optionalString(input, "lifecyclePolicy");
    if (lifecycle !== undefined) {
        if (lifecycle.length > 30720) throw invalidParameter("lifecyclePolicy", "Member must have length less than or equal to 30720");
        if (lifecycle === "") delete t.lifecyclePolicy;
        else {
            checkLifecyclePolicy(lifecycle);
            t.lifecyclePolicy = lifecycle;
        }
    }
    const role = v.optionalString(input, "customRoleArn");
    if (role !== undefined) {
        if (role.length > 2048) throw invalidParameter("customRoleArn", "Member must have length less than or equal to 2048");
        if (role === "") delete t.customRoleArn;
        else if (!/^arn:aws(-\w+)*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/.test(role)) {
            throw invalidParameter("customRoleArn", "Member must be the ARN of an IAM role");
        } else t.customRoleArn = role;
    }
}

const CreateRepositoryCreationTemplate: Operation = (ctx, input) => {
    const prefix = repositoryPrefix(input.prefix, "prefix", TEMPLATE_PREFIX);
    const now = Date.now();
    const template: CreationTemplateRecord = {
        prefix,
        encryptionConfiguration: { encryptionType: "AES256" },
        resourceTags: [],
        imageTagMutability: "MUTABLE",
        appliedFor: [],
        createdAt: now,
        updatedAt: now,
    };
    applyMembers(template, input, true);
    const templates = ctx.store.registry.creationTemplates;
    if (templates[prefix]) {
        throw new EcrException(
            "TemplateAlreadyExistsException",
            `The repository creation template with prefix '${prefix}' already exists in the registry with id '${ctx.config.accountId}'`,
        );
    }
    templates[prefix] = template;
    ctx.store.saveRegistry();
    return { registryId: ctx.config.accountId, repositoryCreationTemplate: templateView(template) };
};

const DescribeRepositoryCreationTemplates: Operation = (ctx, input) => {
    const limit = v.maxResults(input, 1000);
    const wanted = v.optionalArray(input, "prefixes", 0, 1000)?.map((p, i) => repositoryPrefix(p, `prefixes.${i + 1}`, TEMPLATE_PREFIX));
    let templates = Object.values(ctx.store.registry.creationTemplates);
    if (wanted && wanted.length) templates = templates.filter((t) => wanted.includes(t.prefix));
    const { page, nextToken } = paginate(templates, (t) => t.prefix, input, "DescribeRepositoryCreationTemplates", "", limit);
    const out: Json = { registryId: ctx.config.accountId, repositoryCreationTemplates: page.map(templateView) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

function existingTemplate(ctx: ApiContext, input: Json): CreationTemplateRecord {
    const prefix = repositoryPrefix(input.prefix, "prefix", TEMPLATE_PREFIX);
    const t = ctx.store.registry.creationTemplates[prefix];
    if (!t) throw templateNotFound(ctx, prefix);
    return t;
}

const UpdateRepositoryCreationTemplate: Operation = (ctx, input) => {
    const current = existingTemplate(ctx, input);
    // Checked on a copy: a request that fails part way leaves the template as it was.
    const next: CreationTemplateRecord = structuredClone(current);
    applyMembers(next, input, false);
    next.updatedAt = Date.now();
    ctx.store.registry.creationTemplates[next.prefix] = next;
    ctx.store.saveRegistry();
    return { registryId: ctx.config.accountId, repositoryCreationTemplate: templateView(next) };
};

const DeleteRepositoryCreationTemplate: Operation = (ctx, input) => {
    const t = existingTemplate(ctx, input);
    delete ctx.store.registry.creationTemplates[t.prefix];
    ctx.store.saveRegistry();
    return { registryId: ctx.config.accountId, repositoryCreationTemplate: templateView(t) };
};

/**
 * The template ECR would apply to a new repository `name` created for `appliedFor`: of the
 * templates that apply to that scenario, the one with the longest prefix `name` falls under,
 * with ROOT as the catch-all.
 */
export function templateFor(ctx: ApiContext, name: string, appliedFor: string): CreationTemplateRecord | undefined {
    const matching = Object.values(ctx.store.registry.creationTemplates).filter(
        (t) => t.appliedFor.includes(appliedFor) && underPrefix(name, t.prefix),
    );
    const specific = matching.filter((t) => t.prefix !== "ROOT").sort((a, b) => b.prefix.length - a.prefix.length);
    return specific[0] ?? matching.find((t) => t.prefix === "ROOT");
}

/**
 * CREATE_ON_PUSH: creates the missing repository `name` with the settings of the template that
 * applies, and returns it; `undefined` when no template applies (the push then fails as before).
 */
export function createOnPush(ctx: ApiContext, name: string): Repository | undefined {
    const t = templateFor(ctx, name, "CREATE_ON_PUSH");
    if (!t) return undefined;
    // A blank KMS key means the AWS managed key, which CreateRepository picks when none is given.
    const { encryptionType, kmsKey } = t.encryptionConfiguration;
    const encryption: Json = kmsKey ? { encryptionType, kmsKey } : { encryptionType };
    const request: Json = {
        repositoryName: name,
        imageTagMutability: t.imageTagMutability,
        encryptionConfiguration: encryption,
        tags: t.resourceTags,
    };
    if (t.imageTagMutabilityExclusionFilters) request.imageTagMutabilityExclusionFilters = t.imageTagMutabilityExclusionFilters;
    CreateRepository(ctx, request);
    const repo = ctx.store.repositories.get(name)!;
    if (t.repositoryPolicy !== undefined) repo.policyText = t.repositoryPolicy;
    if (t.lifecyclePolicy !== undefined) repo.lifecyclePolicyText = t.lifecyclePolicy;
    // Created on the user's behalf for a push under way: visible at once, whatever the visibility-delay fault says.
    repo.visibleAt = 0;
    ctx.store.saveRepository(repo);
    return repo;
}

/** The repository creation template operations, by the name in `X-Amz-Target`. */
export const creationTemplateOperations: OperationTable = {
    CreateRepositoryCreationTemplate,
    DescribeRepositoryCreationTemplates,
    UpdateRepositoryCreationTemplate,
    DeleteRepositoryCreationTemplate,
};

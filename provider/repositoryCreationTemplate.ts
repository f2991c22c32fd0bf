/**
 * ECR Repository Creation Template: the settings ECR gives repositories it creates itself (on
 * push, through a pull through cache, by replication) under a prefix. Follows
 * `aws.ecr.RepositoryCreationTemplate`. The lifecycle and repository policies are documents,
 * validated with the same rules as LifecyclePolicy and RepositoryPolicy and compared by meaning.
 * Everything but the prefix and region updates in place, in one call: nothing is half-applied.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    CreateRepositoryCreationTemplateCommand,
    DeleteRepositoryCreationTemplateCommand,
    DescribeRepositoryCreationTemplatesCommand,
    ECRClient,
    EncryptionType,
    ImageTagMutability,
    ImageTagMutabilityExclusionFilter,
    RCTAppliedFor,
    RepositoryCreationTemplate as EcrTemplate,
    UpdateRepositoryCreationTemplateCommand,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, goneOr, isA, notFound, wrap } from "./errors";
import { lifecyclePoliciesEquivalent, validateLifecyclePolicy } from "./lifecyclePolicy";
import { answeredARepeat, takeBackIfSame } from "./retry";
import { canonicalJson, canonicalOrRaw, JsonObject, parsePolicy } from "./policyDocument";
import { ROLE_ARN_PATTERN, checkRepositoryPrefix } from "./pullThroughCacheRule";
import { iamPoliciesEquivalent, validateIamPolicy } from "./repositoryPolicy";
import { ENCRYPTION_TYPES, IMAGE_TAG_MUTABILITIES } from "./repository";
import { Failures, UNKNOWN, containsUnknown, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Repository Creation Template";
/** The exceptions that mean "no such template": read, delete and the data source share them. */
export const TEMPLATE_GONE = ["TemplateNotFoundException"] as const;
/** What a template can apply to. */
export const APPLIED_FORS = ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE", "REPLICATION"] as const satisfies readonly RCTAppliedFor[];
/** One of {@link APPLIED_FORS}. */
export type AppliedForValue = (typeof APPLIED_FORS)[number];
const TAGS_MAX = 50;
const DESCRIPTION_MAX = 256;

/** Inputs after `check()`: lists sorted, unset strings "", documents as canonical JSON. */
export interface RepositoryCreationTemplateInputs {
    prefix: string;
    appliedFors: string[];
    description: string;
    imageTagMutability: string;
    imageTagMutabilityExclusionFilters: { filter: string; filterType: string }[];
    encryptionConfigurations: { encryptionType: string; kmsKey?: string }[];
    lifecyclePolicy: string;
    repositoryPolicy: string;
    resourceTags: Record<string, string>;
    customRoleArn: string;
    region: string;
}
/** What the resource reports. */
export interface RepositoryCreationTemplateOutputs extends RepositoryCreationTemplateInputs {
    registryId: string;
}

/** The template for `prefix`, with the registry id, or NotFoundError. */
export async function findRepositoryCreationTemplateByPrefix(
    client: ECRClient,
    prefix: string,
): Promise<{ template: EcrTemplate; registryId: string }> {
    let out;
    try {
        out = await client.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: [prefix] }));
    } catch (e) {
        throw goneOr(e, TEMPLATE_GONE, KIND, prefix);
    }
    const template = out.repositoryCreationTemplates?.find((t) => t.prefix === prefix);
    if (!template) throw notFound(KIND, prefix, { registryId: out.registryId });
    return { template, registryId: out.registryId ?? "" };
}

const byText =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
const sortFilters = (fs: { filter: string; filterType: string }[]) => [...fs].sort(byText((x) => x.filter));

/** Canonical JSON of a document given as text, or the text itself when it is not JSON. */

/** Maps ECR's template to the resource's state. The data source reuses it. */
export function templateState(t: EcrTemplate, registryId: string, region: string): RepositoryCreationTemplateOutputs {
    const enc = t.encryptionConfiguration;
    return {
        prefix: t.prefix ?? "",
        appliedFors: [...(t.appliedFor ?? [])].sort(),
        description: t.description ?? "",
        imageTagMutability: t.imageTagMutability ?? "MUTABLE",
        imageTagMutabilityExclusionFilters: sortFilters(
            (t.imageTagMutabilityExclusionFilters ?? []).map((f) => ({ filter: f.filter ?? "", filterType: f.filterType ?? "WILDCARD" })),
        ),
        encryptionConfigurations: [
            enc?.kmsKey
                ? { encryptionType: enc.encryptionType ?? "AES256", kmsKey: enc.kmsKey }
                : { encryptionType: enc?.encryptionType ?? "AES256" },
        ],
        lifecyclePolicy: canonicalOrRaw(t.lifecyclePolicy),
        repositoryPolicy: canonicalOrRaw(t.repositoryPolicy),
        resourceTags: Object.fromEntries((t.resourceTags ?? []).map((x) => [x.Key ?? "", x.Value ?? ""])),
        customRoleArn: t.customRoleArn ?? "",
        registryId,
        region,
    };
}

/** Validates a document property, returning its canonical JSON ("" when unset). */
function checkDocument(f: Failures, property: string, value: unknown, validate: (doc: JsonObject) => string[]): unknown {
    if (value === undefined || value === null || value === "") return "";
    if (containsUnknown(value)) return UNKNOWN;
    const parsed = parsePolicy(value);
    if ("error" in parsed) {
        f.add(property, parsed.error);
        return value;
    }
    for (const problem of validate(parsed.doc)) f.add(property, problem);
    return canonicalJson(parsed.doc);
}

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    checkRepositoryPrefix(f, "prefix", n.prefix, 256);

    let appliedFors = n.appliedFors;
    if (appliedFors !== UNKNOWN) {
        if (!Array.isArray(appliedFors) || appliedFors.length === 0) {
            f.add("appliedFors", `needs at least one of ${APPLIED_FORS.map((a) => `"${a}"`).join(", ")}`);
        } else {
            appliedFors.forEach((a: unknown, i: number) => f.oneOf(`appliedFors[${i}]`, a, APPLIED_FORS));
            if (new Set(appliedFors).size !== appliedFors.length) f.add("appliedFors", "lists a value twice; drop the duplicate");
            if (!containsUnknown(appliedFors)) appliedFors = [...appliedFors].sort();
        }
    }

    const description = n.description ?? "";
    if (description !== UNKNOWN && (typeof description !== "string" || description.length > DESCRIPTION_MAX)) {
        f.add("description", `must be a string of at most ${DESCRIPTION_MAX} characters`);
    }

    const mutability = n.imageTagMutability ?? "MUTABLE";
    f.oneOf("imageTagMutability", mutability, IMAGE_TAG_MUTABILITIES);
    const filters = n.imageTagMutabilityExclusionFilters ?? [];
    if (filters !== UNKNOWN) {
        const withExclusion = typeof mutability === "string" && mutability.endsWith("_WITH_EXCLUSION");
        if (!Array.isArray(filters)) f.add("imageTagMutabilityExclusionFilters", "must be a list of { filter, filterType } objects");
        else {
            if (withExclusion && filters.length === 0) {
                f.add(
                    "imageTagMutabilityExclusionFilters",
                    `${mutability} needs at least one exclusion filter, e.g. [{ filter: "latest", filterType: "WILDCARD" }]`,
                );
            }
            if (!withExclusion && filters.length > 0 && mutability !== UNKNOWN) {
                f.add(
                    "imageTagMutabilityExclusionFilters",
                    "exclusion filters apply only with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; set imageTagMutability to one of those or drop the filters",
                );
            }
            filters.forEach((x: UncheckedInputs | undefined, i: number) => {
                if (!x || typeof x.filter !== "string" || !/^[a-zA-Z0-9._*-]{1,128}$/.test(x.filter)) {
                    f.add(
                        `imageTagMutabilityExclusionFilters[${i}].filter`,
                        "must be 1-128 characters of letters, digits, . _ - and the wildcard *",
                    );
                }
                f.oneOf(`imageTagMutabilityExclusionFilters[${i}].filterType`, x?.filterType ?? "WILDCARD", ["WILDCARD"]);
            });
        }
    }

    const encs = n.encryptionConfigurations ?? [];
    let encryption: { encryptionType: string; kmsKey?: string } = { encryptionType: "AES256" };
    if (encs !== UNKNOWN) {
        if (!Array.isArray(encs) || encs.length > 1)
            f.add("encryptionConfigurations", "must be a list with at most one { encryptionType, kmsKey } entry");
        else if (encs.length === 1) {
            const e = encs[0] ?? {};
            const type = e.encryptionType ?? "AES256";
            f.oneOf("encryptionConfigurations[0].encryptionType", type, ENCRYPTION_TYPES);
            if (e.kmsKey && type === "AES256") {
                f.add(
                    "encryptionConfigurations[0].kmsKey",
                    'a KMS key applies only with encryptionType "KMS" or "KMS_DSSE"; set encryptionType or drop kmsKey',
                );
            }
            encryption = e.kmsKey ? { encryptionType: type, kmsKey: e.kmsKey } : { encryptionType: type };
        }
    }

    const lifecyclePolicy = checkDocument(f, "lifecyclePolicy", n.lifecyclePolicy, validateLifecyclePolicy);
    const repositoryPolicy = checkDocument(f, "repositoryPolicy", n.repositoryPolicy, validateIamPolicy);

    const tags = n.resourceTags ?? {};
    if (tags !== UNKNOWN) {
        if (!tags || typeof tags !== "object" || Array.isArray(tags)) f.add("resourceTags", "must be a map of tag names to string values");
        else {
            const entries = Object.entries(tags);
            if (entries.length > TAGS_MAX)
                f.add("resourceTags", `ECR allows at most ${TAGS_MAX} tags per repository, got ${entries.length}`);
            for (const [k, v] of entries) {
                if (k.toLowerCase().startsWith("aws:"))
                    f.add(`resourceTags.${k}`, 'tag names starting with "aws:" are reserved by AWS; rename the tag');
                if (v !== UNKNOWN && typeof v !== "string")
                    f.add(`resourceTags.${k}`, `tag values must be strings, got ${JSON.stringify(v)}`);
            }
        }
    }

    const role = n.customRoleArn ?? "";
    if (role !== UNKNOWN && role !== "" && (typeof role !== "string" || !ROLE_ARN_PATTERN.test(role))) {
        f.add(
            "customRoleArn",
            `must be the ARN of an IAM role, e.g. "arn:aws:iam::123456789012:role/ecr-templates", got ${JSON.stringify(role)}`,
        );
    }
    // ECR creates the repository as this role when it must tag it or use a customer KMS key.
    const needsRole =
        (tags !== UNKNOWN && tags && Object.keys(tags).length > 0) || (encryption.encryptionType !== "AES256" && encs !== UNKNOWN);
    if (needsRole && role === "") {
        f.add(
            "customRoleArn",
            "is required with `resourceTags` or KMS encryption: ECR creates the repositories as this role; give a role ECR may assume that can tag repositories and use the key",
        );
    }

    const region = await f.regionOrDefault("region", n.region);
    const inputs: RepositoryCreationTemplateInputs = {
        prefix: n.prefix,
        appliedFors,
        description,
        imageTagMutability: mutability,
        imageTagMutabilityExclusionFilters: Array.isArray(filters)
            ? sortFilters(filters.map((x: UncheckedInputs | undefined) => ({ filter: x?.filter, filterType: x?.filterType ?? "WILDCARD" })))
            : filters,
        encryptionConfigurations: encs === UNKNOWN ? encs : [encryption],
        lifecyclePolicy: lifecyclePolicy as string,
        repositoryPolicy: repositoryPolicy as string,
        resourceTags: tags,
        customRoleArn: role,
        region,
    };
    return { inputs, failures: f.list };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameDoc = (a: string | undefined, b: string, eq: (x: unknown, y: unknown) => boolean) =>
    b !== UNKNOWN && ((a ?? "") === "" ? b === "" : b !== "" && eq(a, b));
const sortedEntries = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));

/** The properties that differ between state and inputs (documents by meaning). */
function changedProperties(olds: RepositoryCreationTemplateOutputs, news: RepositoryCreationTemplateInputs): string[] {
    const changed: string[] = [];
    if (!same(olds.appliedFors, news.appliedFors)) changed.push("appliedFors");
    if ((olds.description ?? "") !== news.description) changed.push("description");
    if (olds.imageTagMutability !== news.imageTagMutability) changed.push("imageTagMutability");
    if (!same(sortFilters(olds.imageTagMutabilityExclusionFilters ?? []), news.imageTagMutabilityExclusionFilters))
        changed.push("imageTagMutabilityExclusionFilters");
    const o = olds.encryptionConfigurations?.[0] ?? { encryptionType: "AES256" };
    const e = Array.isArray(news.encryptionConfigurations) ? news.encryptionConfigurations[0] : undefined;
    if (!e || o.encryptionType !== e.encryptionType || (e.kmsKey !== undefined && e.kmsKey !== o.kmsKey))
        changed.push("encryptionConfigurations");
    if (!sameDoc(olds.lifecyclePolicy, news.lifecyclePolicy, lifecyclePoliciesEquivalent)) changed.push("lifecyclePolicy");
    if (!sameDoc(olds.repositoryPolicy, news.repositoryPolicy, iamPoliciesEquivalent)) changed.push("repositoryPolicy");
    if (!same(sortedEntries(olds.resourceTags), sortedEntries(news.resourceTags))) changed.push("resourceTags");
    if ((olds.customRoleArn ?? "") !== news.customRoleArn) changed.push("customRoleArn");
    return changed;
}

export async function diff(
    _id: string,
    olds: RepositoryCreationTemplateOutputs,
    news: RepositoryCreationTemplateInputs,
): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.prefix !== news.prefix) replaces.push("prefix");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    const changed = changedProperties(olds, news);
    return {
        changes: replaces.length > 0 || changed.length > 0 || containsUnknown(news),
        replaces,
        deleteBeforeReplace: replaces.length > 0 && olds.prefix === news.prefix,
    };
}

/** The request members every Create/Update carries: the whole template, "" clearing a string. */
function members(t: RepositoryCreationTemplateInputs) {
    const enc = t.encryptionConfigurations[0];
    return {
        prefix: t.prefix,
        appliedFor: t.appliedFors as RCTAppliedFor[],
        description: t.description,
        imageTagMutability: t.imageTagMutability as ImageTagMutability,
        imageTagMutabilityExclusionFilters: t.imageTagMutabilityExclusionFilters.length
            ? (t.imageTagMutabilityExclusionFilters as ImageTagMutabilityExclusionFilter[])
            : undefined,
        encryptionConfiguration: { encryptionType: enc.encryptionType as EncryptionType, kmsKey: enc.kmsKey },
        lifecyclePolicy: t.lifecyclePolicy,
        repositoryPolicy: t.repositoryPolicy,
        resourceTags: Object.entries(t.resourceTags).map(([Key, Value]) => ({ Key, Value })),
        customRoleArn: t.customRoleArn,
    };
}

const omitEmpty = <T extends Record<string, unknown>>(m: T): T => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== "")) as T;

export async function create(inputs: RepositoryCreationTemplateInputs): Promise<dynamic.CreateResult> {
    let out;
    try {
        out = await ecrClient(inputs.region).send(new CreateRepositoryCreationTemplateCommand(omitEmpty(members(inputs))));
    } catch (e) {
        // A repeat (the SDK's retry after a lost reply) that meets the template this create asked for has met its own.
        if (isA(e, "TemplateAlreadyExistsException") && answeredARepeat(e)) {
            const own = await takeBackIfSame(inputs.prefix, inputs, read, diff);
            if (own) return own;
        }
        const hint = isA(e, "TemplateAlreadyExistsException")
            ? "a template for this prefix already exists, perhaps managed by another stack; pick another `prefix`"
            : undefined;
        throw new EcrError("creating", KIND, inputs.prefix, e, hint);
    }
    return { id: inputs.prefix, outs: { ...inputs, registryId: out.registryId ?? "" } };
}

export async function read(id: string, props: Partial<RepositoryCreationTemplateOutputs>): Promise<dynamic.ReadResult> {
    const prefix = props.prefix || id;
    const region = await resolveRegion(props.region);
    let found: { template: EcrTemplate; registryId: string };
    try {
        found = await wrap("reading", KIND, prefix, () => findRepositoryCreationTemplateByPrefix(ecrClient(region), prefix));
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const outs = templateState(found.template, found.registryId, region);
    // Keep the spellings already in state when ECR's copies mean the same: no phantom diff.
    if (props.lifecyclePolicy && sameDoc(props.lifecyclePolicy, outs.lifecyclePolicy, lifecyclePoliciesEquivalent))
        outs.lifecyclePolicy = props.lifecyclePolicy;
    if (props.repositoryPolicy && sameDoc(props.repositoryPolicy, outs.repositoryPolicy, iamPoliciesEquivalent))
        outs.repositoryPolicy = props.repositoryPolicy;
    const key = props.encryptionConfigurations?.[0]?.kmsKey;
    if (key && outs.encryptionConfigurations[0].encryptionType === props.encryptionConfigurations![0].encryptionType)
        outs.encryptionConfigurations = [{ ...outs.encryptionConfigurations[0], kmsKey: key }];
    return { id: prefix, props: outs };
}

/** One UpdateRepositoryCreationTemplate call with the whole template: nothing is ever half-applied. */
export async function update(
    _id: string,
    olds: RepositoryCreationTemplateOutputs,
    news: RepositoryCreationTemplateInputs,
): Promise<dynamic.UpdateResult> {
    const out = await wrap("updating", KIND, news.prefix, () =>
        ecrClient(news.region).send(new UpdateRepositoryCreationTemplateCommand(members(news))),
    );
    return { outs: { ...news, registryId: out.registryId || olds.registryId } };
}

export async function remove(id: string, props: RepositoryCreationTemplateOutputs): Promise<void> {
    const prefix = props.prefix || id;
    try {
        await ecrClient(props.region).send(new DeleteRepositoryCreationTemplateCommand({ prefix }));
    } catch (e) {
        if (isA(e, ...TEMPLATE_GONE)) return;
        throw new EcrError("deleting", KIND, prefix, e);
    }
}

// This module's exports are the dynamic provider for `RepositoryCreationTemplate` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

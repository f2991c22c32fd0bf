/**
 * ECR Repository: its provider (check/diff/create/read/update/delete), its finder, and the mapping
 * between the resource's plain state and ECR's shapes. Property names follow `aws.ecr.Repository`.
 */
import { createHash, randomBytes } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type {
    ECRClient,
    EncryptionType as EcrEncryptionType,
    ImageTagMutability as EcrImageTagMutability,
    ImageTagMutabilityExclusionFilterType as EcrExclusionFilterType,
    Repository as EcrRepository,
} from "@aws-sdk/client-ecr";
import { awsSdk, ecrClient, resolveRegion } from "./client";
import { lookupCoalesced } from "./coalesce";
import { EcrError, NotFoundError, goneOr, initError, isA, notFound, wrap } from "./errors";
import { answeredARepeat, createVisibilityTimeoutMs, retryWhile, retryWhileNew } from "./retry";
import { Failures, UNKNOWN, type UncheckedInputs, withoutInternals } from "./validate";

/**
 * The values ECR accepts, each list the one source of its union: `check()` validates against the
 * list and sdk/ types its inputs and outputs with the union. The annotations below prove at
 * compile time that every value is one the AWS SDK knows, so no cast is needed to send it.
 */
export const IMAGE_TAG_MUTABILITIES = [
    "MUTABLE",
    "IMMUTABLE",
    "IMMUTABLE_WITH_EXCLUSION",
    "MUTABLE_WITH_EXCLUSION",
] as const satisfies readonly EcrImageTagMutability[];
/** How images are encrypted at rest. */
export const ENCRYPTION_TYPES = ["AES256", "KMS", "KMS_DSSE"] as const satisfies readonly EcrEncryptionType[];
/** How an exclusion filter matches tags (ECR knows one way). */
export const EXCLUSION_FILTER_TYPES = ["WILDCARD"] as const satisfies readonly EcrExclusionFilterType[];
/** One of {@link IMAGE_TAG_MUTABILITIES}. */
export type ImageTagMutabilityValue = (typeof IMAGE_TAG_MUTABILITIES)[number];
/** One of {@link ENCRYPTION_TYPES}. */
export type EncryptionTypeValue = (typeof ENCRYPTION_TYPES)[number];
/** One of {@link EXCLUSION_FILTER_TYPES}. */
export type ExclusionFilterTypeValue = (typeof EXCLUSION_FILTER_TYPES)[number];

const KIND = "Repository";
/** The exceptions that mean the repository is gone: its finder reports them as NotFoundError, its delete as done. */
export const REPOSITORY_GONE = ["RepositoryNotFoundException"] as const;

/** A tag pattern that keeps its own mutability against the repository's setting. */
export interface ExclusionFilter {
    /** A tag pattern; `*` is a wildcard. */
    filter: string;
    /** How `filter` matches tags. */
    filterType: ExclusionFilterTypeValue;
}
/** How a repository's images are encrypted at rest. */
export interface EncryptionConfiguration {
    /** How images are encrypted at rest. */
    encryptionType: EncryptionTypeValue;
    /** The KMS key as the program spelled it (id, alias or ARN), or as ECR reports it. */
    kmsKey?: string;
}

/** Inputs after `check()`: every default filled in, so `diff` compares complete values. */
export interface RepositoryInputs {
    /** Repository name. */
    name: string;
    /** How image tags may be overwritten. */
    imageTagMutability: ImageTagMutabilityValue;
    /** The tags that keep the other mutability, sorted by filter. */
    imageTagMutabilityExclusionFilters: ExclusionFilter[];
    /** Whether images are scanned for vulnerabilities when pushed. */
    imageScanningConfiguration: { scanOnPush: boolean };
    /** The one encryption setting. */
    encryptionConfigurations: EncryptionConfiguration[];
    /** Delete the repository even if it holds images. State only. */
    forceDelete: boolean;
    /** Take over a repository of the same name that already exists, instead of failing. State only. */
    adoptExisting: boolean;
    /** The repository's tags. */
    tags: Record<string, string>;
    /** The region the repository lives in. */
    region: string;
    /**
     * The ownership token: the value of the {@link OWNER_TAG_KEY} tag this resource puts on the
     * repository it creates, so that it recognises its own repository when a create must be retried
     * (a lost reply, an interrupted `pulumi up`). Derived from the resource's identity (see
     * {@link ownerTokenFor}); absent in the state of repositories created before it existed.
     */
    ownerToken?: string;
}

/** What the resource reports: every input as ECR reports it, plus ECR's identifiers. */
export interface RepositoryOutputs extends RepositoryInputs {
    /** Full ARN of the repository. */
    arn: string;
    /** Account id of the registry that holds the repository. */
    registryId: string;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: where images are pushed and pulled. */
    repositoryUrl: string;
    /**
     * When ECR created the repository (ISO 8601). Read, update and delete use it to tell a repository
     * that is not visible yet (ECR creates asynchronously) from one that is gone. Absent in state
     * written before it existed.
     */
    createdAt?: string;
}

// ---------- ownership ----------

/**
 * The tag that marks a repository as created by one resource of one stack. Its value is the
 * resource's {@link RepositoryInputs.ownerToken}. It is internal: `check()` refuses it in `tags`, and
 * state, reads and data sources never show it, so it is never drift.
 */
export const OWNER_TAG_KEY = "pulumi-ecr:owner";
/** User tags may not use this prefix: it is the package's own. */
const RESERVED_TAG_PREFIX = "pulumi-ecr:";

/**
 * The ownership token of the resource with this identity (`<organization>/<project>/<stack>/<parents>/<type>::<name>`,
 * passed by the sdk as `__identity`): a hash, so the same resource of the same stack gets the same
 * token in every process and every run, including a run after an interrupted one whose state lost
 * the create, while another stack, project or resource never does.
 */
export function ownerTokenFor(identity: string): string {
    return createHash("sha256").update(`owner\0${identity}`).digest("hex").slice(0, 40);
}

/** `tags` without the package's internal ones: what the user set, and what state and data sources report. */
export function userTags(tags: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith(RESERVED_TAG_PREFIX)));
}

// ---------- finder ----------

/**
 * The NotFoundError for a repository: `ECR Repository (<name>) not found[ in registry <id>]`.
 * Readers whose call fails with one of {@link REPOSITORY_GONE} use it through {@link repositoryGoneOr}.
 */
export function repositoryNotFound(name: string, registryId?: string, cause?: unknown): NotFoundError {
    return notFound(KIND, name, { registryId, cause });
}

/** `err` as the repository's NotFoundError when it says the repository is gone, else unchanged. */
export function repositoryGoneOr(err: unknown, name: string, registryId?: string): unknown {
    return goneOr(err, REPOSITORY_GONE, KIND, name, { registryId });
}

/** The repository, or NotFoundError: the finder read, adopt and the data sources share. */
export async function findRepositoryByName(client: ECRClient, name: string, registryId?: string): Promise<EcrRepository> {
    const { DescribeRepositoriesCommand } = awsSdk();
    let out;
    try {
        out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name], registryId }));
    } catch (e) {
        throw repositoryGoneOr(e, name, registryId);
    }
    const repo = out.repositories?.find((r) => r.repositoryName === name);
    if (!repo) throw repositoryNotFound(name, registryId);
    return repo;
}

/** DescribeRepositories takes at most this many names in one call. */
const DESCRIBE_MAX_NAMES = 100;
/** How long a batch of reads waits for more names: a refresh sends its reads within a few milliseconds of each other. */
const DESCRIBE_WINDOW_MS = 5;

/**
 * The repositories of `names` that exist, in one DescribeRepositories call when they all do. ECR
 * fails the whole call with RepositoryNotFoundException when any name is missing, so the names are
 * then split in halves until each missing one is found alone (k missing names cost about
 * 2k·log2(n) more calls, none when every name is there).
 */
async function describeRepositories(client: ECRClient, names: string[], registryId?: string): Promise<Map<string, EcrRepository>> {
    const { DescribeRepositoriesCommand } = awsSdk();
    try {
        const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: names, registryId }));
        return new Map((out.repositories ?? []).map((r) => [r.repositoryName ?? "", r]));
    } catch (e) {
        if (!isA(e, ...REPOSITORY_GONE)) throw e;
        if (names.length === 1) return new Map();
        const half = Math.ceil(names.length / 2);
        const [a, b] = await Promise.all([
            describeRepositories(client, names.slice(0, half), registryId),
            describeRepositories(client, names.slice(half), registryId),
        ]);
        return new Map([...a, ...b]);
    }
}

/**
 * {@link findRepositoryByName} for the provider's `read`: concurrent reads in one region and
 * registry share one DescribeRepositories of up to 100 names (see provider/coalesce.ts), so a
 * refresh of 500 repositories costs a handful of calls instead of 500. A name the batch does not
 * return is reported as the finder reports it, with NotFoundError; a failed batch fails each read.
 */
export async function findRepositoryByNameBatched(region: string, name: string, registryId?: string): Promise<EcrRepository> {
    const client = ecrClient(region);
    const repo = await lookupCoalesced(
        {
            key: `${region}\0${registryId ?? ""}`,
            max: DESCRIBE_MAX_NAMES,
            windowMs: DESCRIBE_WINDOW_MS,
            run: (names) => describeRepositories(client, names, registryId),
        },
        name,
    );
    if (!repo) throw repositoryNotFound(name, registryId);
    return repo;
}

/** The repository's tags as a plain map, or NotFoundError when the repository went away meanwhile. */
export async function findRepositoryTags(client: ECRClient, arn: string): Promise<Record<string, string>> {
    const { ListTagsForResourceCommand } = awsSdk();
    try {
        const out = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        return Object.fromEntries((out.tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    } catch (e) {
        throw repositoryGoneOr(e, arn.replace(/^arn:[^:]*:ecr:[^:]*:\d*:repository\//, ""));
    }
}

/** Maps ECR's repository shape to the resource's state. Data sources reuse it. */
export function repositoryState(
    repo: EcrRepository,
    extra: { tags: Record<string, string>; region: string; forceDelete: boolean; adoptExisting?: boolean },
): RepositoryOutputs {
    const enc = repo.encryptionConfiguration;
    return {
        name: repo.repositoryName ?? "",
        arn: repo.repositoryArn ?? "",
        registryId: repo.registryId ?? "",
        repositoryUrl: repo.repositoryUri ?? "",
        imageTagMutability: repo.imageTagMutability ?? "MUTABLE",
        imageTagMutabilityExclusionFilters: sortFilters(
            (repo.imageTagMutabilityExclusionFilters ?? []).map((f): ExclusionFilter => ({
                filter: f.filter ?? "",
                filterType: f.filterType ?? "WILDCARD",
            })),
        ),
        imageScanningConfiguration: { scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false },
        encryptionConfigurations: [
            enc?.kmsKey
                ? { encryptionType: enc.encryptionType ?? "AES256", kmsKey: enc.kmsKey }
                : { encryptionType: enc?.encryptionType ?? "AES256" },
        ],
        forceDelete: extra.forceDelete,
        adoptExisting: extra.adoptExisting ?? false,
        tags: extra.tags,
        region: extra.region,
    };
}

const sortFilters = (fs: ExclusionFilter[]) => [...fs].sort((a, b) => (a.filter < b.filter ? -1 : a.filter > b.filter ? 1 : 0));

// ---------- check ----------

const AUTONAME_SUFFIX_LENGTH = 7;

/**
 * `<resource name>-<7 [a-z0-9]>`, lower-cased and made valid, like Pulumi auto-naming. With the
 * resource's `identity` the suffix is derived from it, so a run after an interrupted `pulumi up`
 * picks the same name as the run whose create was lost, and finds (and keeps) that repository
 * instead of orphaning it. Without one (a direct provider call), the suffix is random.
 */
export function autoName(resourceName: string, identity?: string): string {
    const base =
        resourceName
            .toLowerCase()
            .replace(/[^a-z0-9._/-]+/g, "-")
            .replace(/[._/-]{2,}/g, "-")
            .replace(/^[._/-]+|[._/-]+$/g, "") || "repository";
    let suffix = "";
    for (let i = 0; suffix.length < AUTONAME_SUFFIX_LENGTH; i++) {
        const bytes = identity ? createHash("sha256").update(`name\0${i}\0${identity}`).digest() : randomBytes(8);
        suffix += bytes.readBigUInt64BE().toString(36).padStart(13, "0");
    }
    return `${base.slice(0, 256 - AUTONAME_SUFFIX_LENGTH - 1)}-${suffix.slice(0, AUTONAME_SUFFIX_LENGTH)}`;
}

const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const TAGS_MAX = 50;

function checkTags(f: Failures, tags: unknown): void {
    if (tags === undefined || tags === UNKNOWN) return;
    if (!tags || typeof tags !== "object" || Array.isArray(tags)) {
        f.add("tags", "must be a map of tag names to string values");
        return;
    }
    const entries = Object.entries(tags);
    // One of ECR's 50 is the ownership tag.
    if (entries.length > TAGS_MAX - 1)
        f.add(
            "tags",
            `at most ${TAGS_MAX - 1} tags per repository (ECR allows ${TAGS_MAX}, one is the ownership tag ${OWNER_TAG_KEY}), got ${entries.length}`,
        );
    for (const [k, v] of entries) {
        if (k.length === 0 || k.length > TAG_KEY_MAX) f.add(`tags.${k}`, `tag names must be 1 to ${TAG_KEY_MAX} characters`);
        if (k.startsWith(RESERVED_TAG_PREFIX))
            f.add(`tags.${k}`, `tag names starting with "${RESERVED_TAG_PREFIX}" are reserved for the ownership tag; rename the tag`);
        if (k.toLowerCase().startsWith("aws:")) f.add(`tags.${k}`, `tag names starting with "aws:" are reserved by AWS; rename the tag`);
        if (v === UNKNOWN) continue;
        if (typeof v !== "string") f.add(`tags.${k}`, `tag values must be strings, got ${JSON.stringify(v)}`);
        else if (v.length > TAG_VALUE_MAX) f.add(`tags.${k}`, `tag values must be at most ${TAG_VALUE_MAX} characters`);
    }
}

/** Validates inputs and fills defaults. Runs before any AWS call; failures name the property and the fix. */
export async function check(olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);

    // The resource's identity (organization/project/stack/parents/type::name) from the sdk: auto-name
    // and ownership token are derived from it, so every run of this stack agrees on both.
    const identity = typeof news.__identity === "string" && news.__identity !== "" ? news.__identity : undefined;
    // Auto-name once and keep it: a later run reuses the name already in state.
    let name = n.name;
    if (name === undefined || name === null || name === "") {
        name = olds?.name && olds.name !== UNKNOWN ? olds.name : autoName(String(news.__autoNamePrefix ?? "repository"), identity);
    }
    // The token in state wins: it is the one on the repository this resource made. Without an
    // identity (a direct provider call) `create` draws one, which covers its own retries only.
    const ownerToken: string | undefined =
        typeof olds?.ownerToken === "string" && olds.ownerToken !== "" ? olds.ownerToken : identity ? ownerTokenFor(identity) : undefined;
    f.repositoryName("name", name);

    const mutability = n.imageTagMutability ?? "MUTABLE";
    f.oneOf("imageTagMutability", mutability, IMAGE_TAG_MUTABILITIES);
    const withExclusion = typeof mutability === "string" && mutability.endsWith("_WITH_EXCLUSION");
    const filters = n.imageTagMutabilityExclusionFilters ?? [];
    if (filters !== UNKNOWN) {
        if (!Array.isArray(filters)) {
            f.add("imageTagMutabilityExclusionFilters", "must be a list of { filter, filterType } objects");
        } else {
            if (withExclusion && filters.length === 0) {
                f.add(
                    "imageTagMutabilityExclusionFilters",
                    `${mutability} needs at least one exclusion filter, e.g. [{ filter: "latest", filterType: "WILDCARD" }]`,
                );
            }
            if (!withExclusion && filters.length > 0 && mutability !== UNKNOWN) {
                f.add(
                    "imageTagMutabilityExclusionFilters",
                    `exclusion filters apply only with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; set imageTagMutability to one of those or drop the filters`,
                );
            }
            filters.forEach((x: UncheckedInputs | undefined, i: number) => {
                if (!x || typeof x.filter !== "string" || !/^[a-zA-Z0-9._*-]{1,128}$/.test(x.filter)) {
                    f.add(
                        `imageTagMutabilityExclusionFilters[${i}].filter`,
                        `must be 1-128 characters of letters, digits, . _ - and the wildcard *`,
                    );
                }
                f.oneOf(`imageTagMutabilityExclusionFilters[${i}].filterType`, x?.filterType ?? "WILDCARD", ["WILDCARD"]);
            });
        }
    }

    const scanning = n.imageScanningConfiguration ?? {};
    f.bool("imageScanningConfiguration.scanOnPush", scanning.scanOnPush);

    const encs = n.encryptionConfigurations ?? [];
    let encryption: EncryptionConfiguration = { encryptionType: "AES256" };
    if (encs !== UNKNOWN) {
        if (!Array.isArray(encs) || encs.length > 1) {
            f.add("encryptionConfigurations", "must be a list with at most one { encryptionType, kmsKey } entry");
        } else if (encs.length === 1) {
            const e = encs[0] ?? {};
            const type = e.encryptionType ?? "AES256";
            f.oneOf("encryptionConfigurations[0].encryptionType", type, ENCRYPTION_TYPES);
            if (e.kmsKey !== undefined && e.kmsKey !== "" && type === "AES256") {
                f.add(
                    "encryptionConfigurations[0].kmsKey",
                    `a KMS key applies only with encryptionType "KMS" or "KMS_DSSE"; set encryptionType or drop kmsKey`,
                );
            }
            encryption = e.kmsKey ? { encryptionType: type, kmsKey: e.kmsKey } : { encryptionType: type };
        }
    }

    f.bool("forceDelete", n.forceDelete);
    f.bool("adoptExisting", n.adoptExisting);
    checkTags(f, n.tags);
    const region = await f.regionOrDefault("region", n.region);

    const inputs: RepositoryInputs = {
        name,
        imageTagMutability: mutability,
        imageTagMutabilityExclusionFilters: Array.isArray(filters)
            ? sortFilters(filters.map((x: UncheckedInputs | undefined) => ({ filter: x?.filter, filterType: x?.filterType ?? "WILDCARD" })))
            : filters,
        imageScanningConfiguration: { scanOnPush: scanning.scanOnPush ?? false },
        encryptionConfigurations: encs === UNKNOWN ? encs : [encryption],
        forceDelete: n.forceDelete ?? false,
        adoptExisting: n.adoptExisting ?? false,
        tags: n.tags ?? {},
        region,
        ...(ownerToken ? { ownerToken } : {}),
    };
    return { inputs, failures: f.list };
}

// ---------- diff ----------

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function sameEncryption(old: EncryptionConfiguration[] | undefined, next: EncryptionConfiguration[]): boolean {
    const o = old?.[0] ?? { encryptionType: "AES256" };
    const n = next?.[0] ?? { encryptionType: "AES256" };
    // Without a key, ECR picks the AWS-managed aws/ecr key and reports its ARN: that is not a change.
    return o.encryptionType === n.encryptionType && (n.kmsKey === undefined || n.kmsKey === o.kmsKey);
}

export async function diff(_id: string, olds: RepositoryOutputs, news: RepositoryInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.name !== news.name) replaces.push("name");
    if (!sameEncryption(olds.encryptionConfigurations, news.encryptionConfigurations)) replaces.push("encryptionConfigurations");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    const updates = [
        olds.imageTagMutability !== news.imageTagMutability,
        !same(sortFilters(olds.imageTagMutabilityExclusionFilters ?? []), news.imageTagMutabilityExclusionFilters),
        (olds.imageScanningConfiguration?.scanOnPush ?? false) !== news.imageScanningConfiguration.scanOnPush,
        !same(sortedEntries(olds.tags), sortedEntries(news.tags)),
        (olds.forceDelete ?? false) !== news.forceDelete,
        (olds.adoptExisting ?? false) !== news.adoptExisting,
    ].some(Boolean);
    // ECR cannot change name, encryption or region in place. A replacement with the same name in the
    // same region must wait for the old repository to go; in another region both can exist at once.
    const clashes = olds.name === news.name && (olds.region ?? news.region) === news.region;
    return { changes: replaces.length > 0 || updates, replaces, deleteBeforeReplace: replaces.length > 0 && clashes };
}

const sortedEntries = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));

// ---------- create / read / update / delete ----------

export async function create(given: RepositoryInputs): Promise<dynamic.CreateResult> {
    const { CreateRepositoryCommand } = awsSdk();
    const inputs: RepositoryInputs = { ...given, ownerToken: given.ownerToken || randomBytes(20).toString("hex") };
    const client = ecrClient(inputs.region);
    const enc = inputs.encryptionConfigurations[0];
    const ownerTag = [{ Key: OWNER_TAG_KEY, Value: inputs.ownerToken! }];
    // One call carries everything, ownership tag included, so a failure never leaves a half-made
    // (or unmarked) repository. The SDK may send it more than once (a reply lost on the way back):
    // the retry then meets RepositoryAlreadyExistsException, and the tag tells ours from another's.
    const out = await wrap("creating", KIND, inputs.name, async () => {
        try {
            return await client.send(
                new CreateRepositoryCommand({
                    repositoryName: inputs.name,
                    imageTagMutability: inputs.imageTagMutability,
                    imageTagMutabilityExclusionFilters: inputs.imageTagMutabilityExclusionFilters.length
                        ? inputs.imageTagMutabilityExclusionFilters
                        : undefined,
                    imageScanningConfiguration: inputs.imageScanningConfiguration,
                    encryptionConfiguration: { encryptionType: enc.encryptionType, kmsKey: enc.kmsKey },
                    tags: [...Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })), ...ownerTag],
                }),
            );
        } catch (e) {
            if (isA(e, "RepositoryAlreadyExistsException")) return e as Error;
            throw e;
        }
    });
    if (out instanceof Error) return claim(client, inputs, out);
    if (!out.repository) throw new EcrError("creating", KIND, inputs.name, new Error("ECR returned no repository"));
    const outs = repositoryState(out.repository, { tags: inputs.tags, region: inputs.region, forceDelete: inputs.forceDelete });
    outs.encryptionConfigurations = keepKeySpelling(outs.encryptionConfigurations, inputs.encryptionConfigurations);
    outs.createdAt = createdAtOf(out.repository);
    return { id: inputs.name, outs: withOwner(outs, inputs.ownerToken) };
}

const withOwner = (outs: RepositoryOutputs, ownerToken: string | undefined): RepositoryOutputs =>
    ownerToken ? { ...outs, ownerToken } : outs;

/**
 * CreateRepository said the name is taken. The repository is this resource's own when it carries
 * this resource's ownership tag: the SDK retried a create whose reply was lost, or a run after an
 * interrupted `pulumi up` creates what the lost run already made. Then it is taken over as if just
 * created. Otherwise it is someone else's: adopted only with `adoptExisting`, else the error stands.
 */
async function claim(client: ECRClient, inputs: RepositoryInputs, alreadyExists: Error): Promise<dynamic.CreateResult> {
    let owner: string | undefined;
    try {
        // The name is taken, yet ECR creates asynchronously: a repository made a moment ago (by the
        // lost attempt itself) may still answer not found. Wait that window out before judging.
        owner = await retryWhile(
            async () => {
                const repo = await findRepositoryByName(client, inputs.name);
                return (await findRepositoryTags(client, repo.repositoryArn!))[OWNER_TAG_KEY];
            },
            (e) => e instanceof NotFoundError,
            { timeoutMs: createVisibilityTimeoutMs(), initialDelayMs: 100, maxDelayMs: 2_000 },
        );
    } catch (e) {
        // Still not found after the window (deleted by its owner meanwhile): report the conflict as it was met.
        if (!(e instanceof NotFoundError)) throw new EcrError("creating", KIND, inputs.name, e);
    }
    const mine = owner !== undefined && owner === inputs.ownerToken;
    if (mine || inputs.adoptExisting) return adopt(client, inputs, mine);
    throw new EcrError(
        "creating",
        KIND,
        inputs.name,
        alreadyExists,
        owner !== undefined
            ? `the repository belongs to another resource or stack (its ${OWNER_TAG_KEY} tag is not this resource's); pick another \`name\`, or set \`adoptExisting: true\` to take it over from there`
            : undefined,
    );
}

/**
 * Takes over an existing repository of the same name: the engine cannot import dynamic resources,
 * so this is how a program starts managing one (`adoptExisting`), and how a resource takes back its
 * own repository after a lost reply (`mine`). Settings ECR can change in place are brought in line
 * with the program; encryption cannot change, so a mismatch is an error, not a replacement. An
 * adopted repository gets this resource's ownership tag, so a later retried create recognises it.
 */
async function adopt(client: ECRClient, inputs: RepositoryInputs, mine: boolean): Promise<dynamic.CreateResult> {
    const action = mine ? "creating" : "adopting";
    const repo = await wrap(action, KIND, inputs.name, () => findRepositoryByName(client, inputs.name));
    const allTags = await wrap("reading tags of", KIND, inputs.name, () => findRepositoryTags(client, repo.repositoryArn!));
    const existing = repositoryState(repo, {
        tags: userTags(allTags),
        region: inputs.region,
        forceDelete: inputs.forceDelete,
        adoptExisting: inputs.adoptExisting,
    });
    if (!sameEncryption(existing.encryptionConfigurations, inputs.encryptionConfigurations)) {
        const has = JSON.stringify(existing.encryptionConfigurations[0]);
        throw new EcrError(
            action,
            KIND,
            inputs.name,
            new Error(`the existing repository is encrypted with ${has}, and ECR cannot change encryption`),
            `set \`encryptionConfigurations\` to match it, or pick another \`name\``,
        );
    }
    existing.encryptionConfigurations = keepKeySpelling(existing.encryptionConfigurations, inputs.encryptionConfigurations);
    existing.createdAt = createdAtOf(repo);
    if (inputs.ownerToken && allTags[OWNER_TAG_KEY] !== inputs.ownerToken) {
        const { TagResourceCommand } = awsSdk();
        const tag = [{ Key: OWNER_TAG_KEY, Value: inputs.ownerToken }];
        await wrap("tagging", KIND, inputs.name, () =>
            client.send(new TagResourceCommand({ resourceArn: repo.repositoryArn!, tags: tag })),
        );
    }
    const { outs } = await update(inputs.name, existing, inputs);
    return { id: inputs.name, outs: withOwner(outs, inputs.ownerToken) };
}

/** Keeps the key as the user spelled it (id, alias or ARN) when ECR reports the same type: encryption cannot drift. */
function keepKeySpelling(reported: EncryptionConfiguration[], given: EncryptionConfiguration[] | undefined): EncryptionConfiguration[] {
    const g = given?.[0];
    const r = reported[0];
    if (g?.kmsKey && r && g.encryptionType === r.encryptionType) return [{ encryptionType: r.encryptionType, kmsKey: g.kmsKey }];
    return reported;
}

/** ECR's creation time as ISO 8601, for the visibility window (see `retryWhileNew`). */
const createdAtOf = (repo: EcrRepository): string | undefined => repo.createdAt?.toISOString();
/** Not found while a repository may still be becoming visible: the finders' NotFoundError or ECR's own exception. */
const notVisibleYet = (e: unknown): boolean => e instanceof NotFoundError || isA(e, ...REPOSITORY_GONE);

export async function read(id: string, props: Partial<RepositoryOutputs>): Promise<dynamic.ReadResult> {
    const name = props.name || id;
    const region = await resolveRegion(props.region);
    const client = ecrClient(region);
    let repo: EcrRepository;
    let tags: Record<string, string>;
    try {
        // Right after create (e.g. `pulumi refresh` after `up`) the repository may not be visible yet:
        // retry within its visibility window rather than drop it from state as gone.
        const found = await retryWhileNew(
            props.createdAt,
            async () => {
                const r = await wrap("reading", KIND, name, () => findRepositoryByNameBatched(region, name, props.registryId));
                return { r, t: await wrap("reading tags of", KIND, name, () => findRepositoryTags(client, r.repositoryArn!)) };
            },
            notVisibleYet,
        );
        repo = found.r;
        tags = found.t;
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const outs = repositoryState(repo, {
        tags: userTags(tags),
        region,
        forceDelete: props.forceDelete ?? false,
        adoptExisting: props.adoptExisting,
    });
    outs.encryptionConfigurations = keepKeySpelling(outs.encryptionConfigurations, props.encryptionConfigurations);
    outs.createdAt = createdAtOf(repo) ?? props.createdAt;
    return { id: name, props: withOwner(outs, props.ownerToken) };
}

/**
 * An update that failed part way: the engine records what was applied, so nothing is lost. The
 * engine reads `id`, `properties` and `reasons`. They are assigned in the constructor, not declared
 * as class fields (or parameter properties), because Pulumi's closure serializer drops class fields
 * when it stores this module by value (and `initError` restores what its rewritten `super` drops).
 */
class PartialUpdateError extends Error {
    declare readonly id: string;
    declare readonly properties: RepositoryOutputs;
    declare readonly reasons: string[];
    constructor(cause: Error, id: string, properties: RepositoryOutputs) {
        super(cause.message, { cause });
        initError(this, "PartialUpdateError", cause.message, { cause });
        Object.assign(this, { id, properties, reasons: [cause.message] });
    }
}

export async function update(id: string, olds: RepositoryOutputs, news: RepositoryInputs): Promise<dynamic.UpdateResult> {
    const { PutImageScanningConfigurationCommand, PutImageTagMutabilityCommand, TagResourceCommand, UntagResourceCommand } = awsSdk();
    const client = ecrClient(news.region);
    const name = olds.name;
    const applied: RepositoryOutputs = withOwner(
        { ...olds, forceDelete: news.forceDelete, adoptExisting: news.adoptExisting },
        olds.ownerToken, // only what the repository carries: one created before the ownership tag has none
    );
    const step = async (what: string, fn: () => Promise<unknown>, then: () => void) => {
        try {
            await wrap(what, KIND, name, () => retryWhileNew(olds.createdAt, fn, notVisibleYet));
            then();
        } catch (e) {
            throw new PartialUpdateError(e as Error, id, applied);
        }
    };

    if (
        olds.imageTagMutability !== news.imageTagMutability ||
        !same(sortFilters(olds.imageTagMutabilityExclusionFilters ?? []), news.imageTagMutabilityExclusionFilters)
    ) {
        await step(
            "updating image tag mutability of",
            () =>
                client.send(
                    new PutImageTagMutabilityCommand({
                        repositoryName: name,
                        registryId: olds.registryId,
                        imageTagMutability: news.imageTagMutability,
                        imageTagMutabilityExclusionFilters: news.imageTagMutabilityExclusionFilters.length
                            ? news.imageTagMutabilityExclusionFilters
                            : undefined,
                    }),
                ),
            () => {
                applied.imageTagMutability = news.imageTagMutability;
                applied.imageTagMutabilityExclusionFilters = news.imageTagMutabilityExclusionFilters;
            },
        );
    }
    if ((olds.imageScanningConfiguration?.scanOnPush ?? false) !== news.imageScanningConfiguration.scanOnPush) {
        await step(
            "updating image scanning of",
            () =>
                client.send(
                    new PutImageScanningConfigurationCommand({
                        repositoryName: name,
                        registryId: olds.registryId,
                        imageScanningConfiguration: news.imageScanningConfiguration,
                    }),
                ),
            () => (applied.imageScanningConfiguration = news.imageScanningConfiguration),
        );
    }
    // Only the user's tags: the ownership tag is never removed or rewritten here.
    const oldTags = userTags(olds.tags ?? {});
    const removed = Object.keys(oldTags).filter((k) => !(k in news.tags));
    const changed = Object.entries(news.tags).filter(([k, v]) => oldTags[k] !== v);
    if (removed.length) {
        await step(
            "removing tags from",
            () => client.send(new UntagResourceCommand({ resourceArn: olds.arn, tagKeys: removed })),
            () => (applied.tags = Object.fromEntries(Object.entries(applied.tags).filter(([k]) => !removed.includes(k)))),
        );
    }
    if (changed.length) {
        await step(
            "tagging",
            () => client.send(new TagResourceCommand({ resourceArn: olds.arn, tags: changed.map(([Key, Value]) => ({ Key, Value })) })),
            () => (applied.tags = { ...applied.tags, ...Object.fromEntries(changed) }),
        );
    }
    return { outs: applied };
}

export async function remove(id: string, props: RepositoryOutputs): Promise<void> {
    const { DeleteRepositoryCommand } = awsSdk();
    const name = props.name || id;
    const client = ecrClient(props.region);
    try {
        // Not found right after create may mean "not visible yet": treating it as done would leave the
        // repository behind. Unless it answers a repeat of the call: then an earlier attempt deleted it
        // and its reply was lost, and waiting out the window would only stall the destroy.
        await retryWhileNew(
            props.createdAt,
            () =>
                client.send(new DeleteRepositoryCommand({ repositoryName: name, registryId: props.registryId, force: props.forceDelete })),
            (e) => notVisibleYet(e) && !answeredARepeat(e),
        );
    } catch (e) {
        if (isA(e, ...REPOSITORY_GONE)) return; // already gone: delete is done
        throw new EcrError("deleting", KIND, name, e);
    }
}

// This module's exports are the dynamic provider for `Repository` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

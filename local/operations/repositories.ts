/**
 * Operations on repositories themselves: create, describe, delete, tag mutability, scan-on-push,
 * and resource tags.
 */
import * as crypto from "node:crypto";
import { EcrException, invalidParameter, repositoryNotFound } from "../exceptions";
import { type Repository, type RepositoryRecord, lookupRepository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, paginate, registryIdOf, requestedRepository, seconds } from "./common";

const MAX_TAGS = 50;
const MUTABILITIES = ["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"];
const ENCRYPTION_TYPES = ["AES256", "KMS", "KMS_DSSE"];

function repositoryArn(ctx: ApiContext, name: string): string {
    return `arn:aws:ecr:${ctx.config.region}:${ctx.config.accountId}:repository/${name}`;
}

/** The full `Repository` shape the SDK knows. */
export function repositoryView(ctx: ApiContext, repo: RepositoryRecord): Json {
    const out: Json = {
        repositoryArn: repositoryArn(ctx, repo.name),
        registryId: ctx.config.accountId,
        repositoryName: repo.name,
        repositoryUri: `${ctx.config.registryHost}/${repo.name}`,
        createdAt: seconds(repo.createdAt),
        imageTagMutability: repo.imageTagMutability,
        imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
        encryptionConfiguration: { ...repo.encryption },
    };
    if (repo.imageTagMutabilityExclusionFilters) {
        out.imageTagMutabilityExclusionFilters = repo.imageTagMutabilityExclusionFilters.map((f) => ({ ...f }));
    }
    return out;
}

/** `imageTagMutabilityExclusionFilters` checked against the mutability they go with (templates reuse it). */
export function exclusionFilters(input: Json, mutability: string | undefined): RepositoryRecord["imageTagMutabilityExclusionFilters"] {
    const list = v.optionalArray(input, "imageTagMutabilityExclusionFilters", 1, 5);
    const withExclusion = mutability === "MUTABLE_WITH_EXCLUSION" || mutability === "IMMUTABLE_WITH_EXCLUSION";
    if ((list !== undefined) !== withExclusion) {
        throw invalidParameter(
            "imageTagMutabilityExclusionFilters",
            `ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as ${mutability ?? "MUTABLE"}`,
        );
    }
    if (!list) return undefined;
    return list.map((f) => {
        const o = (f ?? {}) as Json;
        const filterType = v.optionalString(o, "filterType");
        const filter = v.optionalString(o, "filter");
        if (filterType !== "WILDCARD") {
            throw invalidParameter(
                "imageTagMutabilityExclusionFilters",
                `Invalid value for 'filterType' in mutability exclusion filter: ${filterType}`,
            );
        }
        if (filter === undefined || !/^[0-9a-zA-Z._*-]{1,128}$/.test(filter)) {
            throw invalidParameter(
                "imageTagMutabilityExclusionFilters",
                "filter must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$'",
            );
        }
        return { filterType, filter };
    });
}

/** `imageTagMutability`, one of ECR's four modes (templates reuse it). */
export function mutabilityOf(input: Json, required: boolean): string | undefined {
    const m = required ? v.requireString(input, "imageTagMutability") : v.optionalString(input, "imageTagMutability");
    if (m !== undefined && !MUTABILITIES.includes(m)) {
        throw invalidParameter("imageTagMutability", `Member must satisfy enum value set: [${MUTABILITIES.join(", ")}]`);
    }
    return m;
}

function parseArn(ctx: ApiContext, input: Json): Repository {
    const arn = v.requireString(input, "resourceArn");
    const m = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/.exec(arn);
    if (!m) throw invalidParameter("resourceArn", "Invalid ARN");
    if (m[1] !== ctx.config.region) throw repositoryNotFound(m[3], m[2]);
    return lookupRepository(ctx.store, ctx.config.accountId, m[3], m[2]);
}

/** CreateRepository; CREATE_ON_PUSH creates through it too, so both follow the same rules. */
export const CreateRepository: Operation = (ctx, input) => {
    registryIdOf(ctx, input);
    const name = v.repositoryName(input);
    const mutability = mutabilityOf(input, false);
    const filters = exclusionFilters(input, mutability);
    const tags = v.resourceTags(v.optionalArray(input, "tags", 0, 200) ?? []);
    if (new Set(tags.map((t) => t.Key)).size > MAX_TAGS) {
        throw new EcrException("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
    }
    const scan = v.optionalObject(input, "imageScanningConfiguration");
    const scanOnPush = scan ? (v.optionalBoolean(scan, "scanOnPush") ?? false) : false;
    const enc = v.optionalObject(input, "encryptionConfiguration");
    let encryption: RepositoryRecord["encryption"] = { encryptionType: "AES256" };
    if (enc) {
        const type = v.requireString(enc, "encryptionType");
        if (!ENCRYPTION_TYPES.includes(type)) {
            throw invalidParameter(
                "encryptionConfiguration.encryptionType",
                `Member must satisfy enum value set: [${ENCRYPTION_TYPES.join(", ")}]`,
            );
        }
        const kmsKey = v.optionalString(enc, "kmsKey");
        if (type === "AES256" && kmsKey !== undefined) {
            throw invalidParameter("encryptionConfiguration", "KMS key should not be specified when encryptionType is AES256");
        }
        encryption = { encryptionType: type };
        if (type !== "AES256") {
            // Without a key ECR uses the AWS managed key for ECR.
            encryption.kmsKey = kmsKey ?? `arn:aws:kms:${ctx.config.region}:${ctx.config.accountId}:key/${crypto.randomUUID()}`;
        }
    }
    if (ctx.store.repositories.has(name)) {
        throw new EcrException(
            "RepositoryAlreadyExistsException",
            `The repository with name '${name}' already exists in the registry with id '${ctx.config.accountId}'`,
        );
    }
    const dedupedTags = [...new Map(tags.map((t) => [t.Key, t])).values()];
    const record: RepositoryRecord = {
        name,
        createdAt: Date.now(),
        imageTagMutability: mutability ?? "MUTABLE",
        scanOnPush,
        encryption,
        tags: dedupedTags,
        images: {},
        layers: {},
    };
    if (filters) record.imageTagMutabilityExclusionFilters = filters;
    const repo = ctx.store.addRepository(record, Date.now() + ctx.faults.visibilityDelayMs);
    return { repository: repositoryView(ctx, repo) };
};

const DescribeRepositories: Operation = (ctx, input) => {
    const registryId = registryIdOf(ctx, input);
    const names = v.optionalArray(input, "repositoryNames", 1, 100);
    const limit = v.maxResults(input, 1000);
    if (names) {
        if (limit !== undefined || input.nextToken !== undefined) {
            throw invalidParameter("maxResults", "maxResults and nextToken cannot be used with repositoryNames");
        }
        return {
            repositories: names.map((n) => {
                if (typeof n !== "string") throw invalidParameter("repositoryNames", "Member must be a string");
                v.checkRepositoryName(n, "repositoryNames");
                return repositoryView(ctx, lookupRepository(ctx.store, ctx.config.accountId, n, registryId));
            }),
        };
    }
    if (registryId !== ctx.config.accountId) return { repositories: [] };
    const visible = ctx.store.visibleRepositories();
    const { page, nextToken } = paginate(visible, (r) => r.name, input, "DescribeRepositories", "", limit);
    const out: Json = { repositories: page.map((r) => repositoryView(ctx, r)) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

const DeleteRepository: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const force = v.optionalBoolean(input, "force") ?? false;
    if (!force && Object.keys(repo.images).length > 0) {
        throw new EcrException(
            "RepositoryNotEmptyException",
            `The repository with name '${repo.name}' in registry with id '${ctx.config.accountId}' cannot be deleted because it still contains images`,
        );
    }
    const view = repositoryView(ctx, repo);
    ctx.store.removeRepository(repo.name);
    return { repository: view };
};

const PutImageTagMutability: Operation = (ctx, input) => {
    const mutability = mutabilityOf(input, true)!;
    const filters = exclusionFilters(input, mutability);
    const repo = requestedRepository(ctx, input);
    repo.imageTagMutability = mutability;
    if (filters) repo.imageTagMutabilityExclusionFilters = filters;
    else delete repo.imageTagMutabilityExclusionFilters;
    ctx.store.saveRepository(repo);
    const out: Json = { registryId: ctx.config.accountId, repositoryName: repo.name, imageTagMutability: mutability };
    if (filters) out.imageTagMutabilityExclusionFilters = filters;
    return out;
};

const PutImageScanningConfiguration: Operation = (ctx, input) => {
    const scan = v.optionalObject(input, "imageScanningConfiguration");
    if (!scan) throw invalidParameter("imageScanningConfiguration", "Member must not be null");
    const scanOnPush = v.optionalBoolean(scan, "scanOnPush") ?? false;
    const repo = requestedRepository(ctx, input);
    repo.scanOnPush = scanOnPush;
    ctx.store.saveRepository(repo);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush } };
};

const TagResource: Operation = (ctx, input) => {
    const repo = parseArn(ctx, input);
    const tags = v.resourceTags(v.requireArray(input, "tags", 0, 200));
    const merged = new Map(repo.tags.map((t) => [t.Key, t]));
    for (const t of tags) merged.set(t.Key, t);
    if (merged.size > MAX_TAGS) throw new EcrException("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
    repo.tags = [...merged.values()];
    ctx.store.saveRepository(repo);
    return {};
};

const UntagResource: Operation = (ctx, input) => {
    const repo = parseArn(ctx, input);
    const keys = v.requireArray(input, "tagKeys", 0, 200);
    for (const k of keys) {
        if (typeof k !== "string" || k.length < 1 || k.length > 128) {
            throw new EcrException("InvalidTagParameterException", "Tag key must have length between 1 and 128");
        }
    }
    repo.tags = repo.tags.filter((t) => !keys.includes(t.Key));
    ctx.store.saveRepository(repo);
    return {};
};

const ListTagsForResource: Operation = (ctx, input) => {
    const repo = parseArn(ctx, input);
    return { tags: repo.tags.map((t) => ({ ...t })) };
};

/** Repository operations by name. */
export const repositoryOperations: OperationTable = {
    CreateRepository,
    DescribeRepositories,
    DeleteRepository,
    PutImageTagMutability,
    PutImageScanningConfiguration,
    TagResource,
    UntagResource,
    ListTagsForResource,
};

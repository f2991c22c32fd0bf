/**
 * The ECR JSON API (AWS JSON 1.1, `AmazonEC2ContainerRegistry_V20150921.<Operation>`): one
 * function per operation, taking the parsed request body and returning the response body, with
 * the request/response shapes, constraints and error names of the ECR API reference.
 */
import * as crypto from "node:crypto";
import { TOKEN_LIFETIME_MS, Tokens } from "./auth";
import { EcrError, invalidParameter, repositoryNotFound } from "./errors";
import { Faults } from "./faults";
import { creationTemplateOperations } from "./operations/creationTemplates";
import { pullThroughCacheOperations } from "./operations/pullThroughCache";
import { registryOperations } from "./operations/registry";
import { findImage, putImage, referencingIndexes, removeImage, removeTag } from "./images";
import type { ImageRecord, Repository, RepositoryRecord, Store } from "./store";
import * as v from "./validate";
import type { Json } from "./validate";

/** What the operations need to know about the endpoint they run in. */
export interface EndpointConfig {
    accountId: string;
    region: string;
    /** `http://127.0.0.1:<port>`: the API, the registry and layer downloads are all served here. */
    url: string;
    /** `127.0.0.1:<port>`: the host part of every repositoryUri. */
    registryHost: string;
}

export interface ApiContext {
    store: Store;
    config: EndpointConfig;
    tokens: Tokens;
    faults: Faults;
}

/** One JSON API operation: the parsed request in, the response body out (or an `EcrError` thrown). */
export type Operation = (ctx: ApiContext, input: Json) => Json;

/** Layer parts other than the last must be at least this large (ECR's rule). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PAGE_SIZE = 100;
const MAX_TAGS = 50;
const DOWNLOAD_URL_LIFETIME_MS = 60 * 60 * 1000;
const MUTABILITIES = ["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"];
const ENCRYPTION_TYPES = ["AES256", "KMS", "KMS_DSSE"];

// ---- shared helpers ---------------------------------------------------------------------

const seconds = (ms: number): number => ms / 1000;

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

export function registryIdOf(ctx: ApiContext, input: Json): string {
    const id = v.optionalString(input, "registryId");
    if (id !== undefined && !/^[0-9]{12}$/.test(id)) throw v.registryIdError();
    return id ?? ctx.config.accountId;
}

/**
 * The visible repository named in the request. Another registry id finds nothing: this
 * endpoint holds one registry.
 */
export function lookupRepository(ctx: ApiContext, name: string, registryId = ctx.config.accountId): Repository {
    const repo = ctx.store.repositories.get(name);
    if (!repo || registryId !== ctx.config.accountId || Date.now() < repo.visibleAt) {
        throw repositoryNotFound(name, registryId);
    }
    return repo;
}

function requestedRepository(ctx: ApiContext, input: Json): Repository {
    const registryId = registryIdOf(ctx, input);
    return lookupRepository(ctx, v.repositoryName(input), registryId);
}

interface PageToken {
    op: string;
    scope: string;
    after: string;
}

/**
 * Pages through `items` sorted by `key`. The token is opaque to callers and names the last key
 * served, so a page boundary stays put while other items come and go.
 */
export function paginate<T>(
    items: T[],
    key: (t: T) => string,
    input: Json,
    op: string,
    scope: string,
    limit: number | undefined,
): { page: T[]; nextToken?: string } {
    const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const tokenText = v.optionalString(input, "nextToken");
    let start = 0;
    if (tokenText !== undefined) {
        let token: PageToken;
        try {
            token = JSON.parse(Buffer.from(tokenText, "base64url").toString("utf8")) as PageToken;
        } catch {
            throw invalidParameter("nextToken", "Invalid NextToken");
        }
        if (!token || token.op !== op || token.scope !== scope || typeof token.after !== "string") {
            throw invalidParameter("nextToken", "Invalid NextToken");
        }
        start = sorted.findIndex((t) => key(t) > token.after);
        if (start < 0) start = sorted.length;
    }
    const size = limit ?? DEFAULT_PAGE_SIZE;
    const page = sorted.slice(start, start + size);
    if (start + size >= sorted.length) return { page };
    const next: PageToken = { op, scope, after: key(page[page.length - 1]) };
    return { page, nextToken: Buffer.from(JSON.stringify(next)).toString("base64url") };
}

function imageKey(i: ImageRecord): string {
    return `${String(i.pushedAt).padStart(15, "0")}|${i.digest}`;
}

function imageDetail(ctx: ApiContext, repo: Repository, i: ImageRecord): Json {
    const out: Json = {
        registryId: ctx.config.accountId,
        repositoryName: repo.name,
        imageDigest: i.digest,
        imageSizeInBytes: i.sizeInBytes,
        imagePushedAt: seconds(i.pushedAt),
        imageManifestMediaType: i.mediaType,
    };
    // ECR leaves imageTags out for an untagged image rather than sending [].
    if (i.tags.length) out.imageTags = [...i.tags];
    if (i.artifactMediaType) out.artifactMediaType = i.artifactMediaType;
    if (i.lastPulledAt) out.lastRecordedPullTime = seconds(i.lastPulledAt);
    if (i.subjectDigest) out.subjectManifestDigest = i.subjectDigest;
    return out;
}

function matchesTagStatus(i: ImageRecord, status: v.TagStatus): boolean {
    return status === "ANY" || (status === "TAGGED" ? i.tags.length > 0 : i.tags.length === 0);
}

function imageIdText(id: v.ImageId): string {
    return `{imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'}`;
}

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
            throw invalidParameter("imageTagMutabilityExclusionFilters", `Invalid value for 'filterType' in mutability exclusion filter: ${filterType}`);
        }
        if (filter === undefined || !/^[0-9a-zA-Z._*-]{1,128}$/.test(filter)) {
            throw invalidParameter("imageTagMutabilityExclusionFilters", "filter must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$'");
        }
        return { filterType, filter };
    });
}

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
    return lookupRepository(ctx, m[3], m[2]);
}

export function checkPolicyDocument(text: string, field: string, what: string): void {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch {
        throw invalidParameter(field, `Invalid ${what} provided`);
    }
    const statements = (doc as Json | null)?.Statement;
    const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
    const ok =
        typeof doc === "object" &&
        doc !== null &&
        list.length > 0 &&
        list.every((s) => {
            const st = s as Json;
            return (st.Effect === "Allow" || st.Effect === "Deny") && (st.Action !== undefined || st.NotAction !== undefined);
        });
    if (!ok) throw invalidParameter(field, `Invalid ${what} provided`);
}

/** The lifecycle policy rules of the ECR reference: what AWS checks before storing one. */
export function checkLifecyclePolicy(text: string): void {
    const fail = (why: string): never => {
        throw invalidParameter("LifecyclePolicyText", `Lifecycle policy validation failure: ${why}`);
    };
    let doc: Json;
    try {
        doc = JSON.parse(text) as Json;
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error();
    } catch {
        return fail("Could not map policyString into LifecyclePolicy.");
    }
    if (!Array.isArray(doc.rules) || doc.rules.length === 0) return fail('object has missing required properties (["rules"])');
    const priorities = new Set<number>();
    for (const r of doc.rules as Json[]) {
        if (typeof r !== "object" || r === null) return fail("rule must be an object");
        for (const k of ["rulePriority", "selection", "action"]) {
            if (r[k] === undefined) return fail(`object has missing required properties (["${k}"])`);
        }
        const p = r.rulePriority;
        if (typeof p !== "number" || !Number.isInteger(p) || p < 1) return fail("rulePriority must be a positive integer");
        if (priorities.has(p)) return fail(`rulePriority ${p} is used by more than one rule`);
        priorities.add(p);
        const sel = r.selection as Json;
        if (!["tagged", "untagged", "any"].includes(sel.tagStatus as string)) {
            return fail(`instance value (${String(sel.tagStatus)}) not found in enum (possible values: ["any","tagged","untagged"])`);
        }
        if (!["imageCountMoreThan", "sinceImagePushed"].includes(sel.countType as string)) {
            return fail("countType must be imageCountMoreThan or sinceImagePushed");
        }
        if (typeof sel.countNumber !== "number" || !Number.isInteger(sel.countNumber) || sel.countNumber < 1) {
            return fail("countNumber must be an integer of at least 1");
        }
        if (sel.countType === "sinceImagePushed" && sel.countUnit !== "days") return fail("countUnit must be 'days' for sinceImagePushed");
        if (sel.countType === "imageCountMoreThan" && sel.countUnit !== undefined) return fail("countUnit is not allowed for imageCountMoreThan");
        if (sel.tagStatus === "tagged" && !Array.isArray(sel.tagPrefixList) && !Array.isArray(sel.tagPatternList)) {
            return fail("tagPrefixList or tagPatternList is required when tagStatus is tagged");
        }
        const action = r.action as Json;
        if (!action || !["expire", "transition"].includes(action.type as string)) return fail("action.type must be 'expire'");
    }
}

function layerDigestList(input: Json): string[] {
    return v.requireArray(input, "layerDigests", 1, 100).map((d) => {
        if (typeof d !== "string") throw invalidParameter("layerDigests", "Member must be a string");
        return d;
    });
}

function uploadFor(ctx: ApiContext, repo: Repository, input: Json) {
    const uploadId = v.requireString(input, "uploadId");
    const upload = ctx.store.getUpload(uploadId);
    if (!upload || upload.repositoryName !== repo.name || upload.source !== "api") {
        throw new EcrError(
            "UploadNotFoundException",
            `Upload with id '${uploadId}' does not exist for the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    return upload;
}

// ---- operations -------------------------------------------------------------------------

export const CreateRepository: Operation = (ctx, input) => {
    registryIdOf(ctx, input);
    const name = v.repositoryName(input);
    const mutability = mutabilityOf(input, false);
    const filters = exclusionFilters(input, mutability);
    const tags = v.resourceTags(v.optionalArray(input, "tags", 0, 200) ?? []);
    if (new Set(tags.map((t) => t.Key)).size > MAX_TAGS) {
        throw new EcrError("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
    }
    const scan = v.optionalObject(input, "imageScanningConfiguration");
    const scanOnPush = scan ? v.optionalBoolean(scan, "scanOnPush") ?? false : false;
    const enc = v.optionalObject(input, "encryptionConfiguration");
    let encryption: RepositoryRecord["encryption"] = { encryptionType: "AES256" };
    if (enc) {
        const type = v.requireString(enc, "encryptionType");
        if (!ENCRYPTION_TYPES.includes(type)) {
            throw invalidParameter("encryptionConfiguration.encryptionType", `Member must satisfy enum value set: [${ENCRYPTION_TYPES.join(", ")}]`);
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
        throw new EcrError(
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
                return repositoryView(ctx, lookupRepository(ctx, n, registryId));
            }),
        };
    }
    if (registryId !== ctx.config.accountId) return { repositories: [] };
    const now = Date.now();
    const visible = [...ctx.store.repositories.values()].filter((r) => now >= r.visibleAt);
    const { page, nextToken } = paginate(visible, (r) => r.name, input, "DescribeRepositories", "", limit);
    const out: Json = { repositories: page.map((r) => repositoryView(ctx, r)) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

const DeleteRepository: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const force = v.optionalBoolean(input, "force") ?? false;
    if (!force && Object.keys(repo.images).length > 0) {
        throw new EcrError(
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
    if (merged.size > MAX_TAGS) throw new EcrError("TooManyTagsException", `A repository can have at most ${MAX_TAGS} tags`);
    repo.tags = [...merged.values()];
    ctx.store.saveRepository(repo);
    return {};
};

const UntagResource: Operation = (ctx, input) => {
    const repo = parseArn(ctx, input);
    const keys = v.requireArray(input, "tagKeys", 0, 200);
    for (const k of keys) {
        if (typeof k !== "string" || k.length < 1 || k.length > 128) {
            throw new EcrError("InvalidTagParameterException", "Tag key must have length between 1 and 128");
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

const SetRepositoryPolicy: Operation = (ctx, input) => {
    const text = v.requireString(input, "policyText");
    if (text.length > 10240) throw invalidParameter("policyText", "Member must have length less than or equal to 10240");
    v.optionalBoolean(input, "force");
    const repo = requestedRepository(ctx, input);
    checkPolicyDocument(text, "PolicyText", "repository policy");
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
const LIFECYCLE_POLICY: PolicySlot = { field: "lifecyclePolicyText", notFound: "LifecyclePolicyNotFoundException", label: "Lifecycle policy" };

function storedPolicy(ctx: ApiContext, input: Json, slot: PolicySlot): { repo: Repository; text: string } {
    const repo = requestedRepository(ctx, input);
    const text = repo[slot.field];
    if (text === undefined) {
        throw new EcrError(
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

const DescribeImages: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.optionalArray(input, "imageIds", 1, 100);
    const limit = v.maxResults(input, 1000);
    const status = v.tagStatusFilter(input);
    if (ids) {
        if (limit !== undefined || input.nextToken !== undefined) {
            throw invalidParameter("maxResults", "maxResults and nextToken cannot be used with imageIds");
        }
        const seen = new Set<string>();
        const details: Json[] = [];
        for (const raw of ids) {
            const id = v.imageId(raw);
            if (id.imageDigest === undefined && id.imageTag === undefined) {
                throw invalidParameter("imageIds", "Invalid request parameters: both tag and digest cannot be null");
            }
            if (id.imageDigest !== undefined && !v.isDigest(id.imageDigest)) {
                throw invalidParameter("imageIds.imageDigest", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
            }
            const image = findImage(repo, id);
            if (!image) {
                throw new EcrError(
                    "ImageNotFoundException",
                    `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
                );
            }
            if (!seen.has(image.digest)) {
                seen.add(image.digest);
                details.push(imageDetail(ctx, repo, image));
            }
        }
        return { imageDetails: details };
    }
    const images = v.imageStatusMatchesActive(input) ? Object.values(repo.images).filter((i) => matchesTagStatus(i, status)) : [];
    const { page, nextToken } = paginate(images, imageKey, input, "DescribeImages", repo.name, limit);
    const out: Json = { imageDetails: page.map((i) => imageDetail(ctx, repo, i)) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

const ListImages: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const limit = v.maxResults(input, 1000);
    const status = v.tagStatusFilter(input);
    const entries: { key: string; id: v.ImageId }[] = [];
    if (v.imageStatusMatchesActive(input)) {
        for (const i of Object.values(repo.images)) {
            if (!matchesTagStatus(i, status)) continue;
            if (i.tags.length === 0) entries.push({ key: `${imageKey(i)}|`, id: { imageDigest: i.digest } });
            for (const t of i.tags) entries.push({ key: `${imageKey(i)}|${t}`, id: { imageDigest: i.digest, imageTag: t } });
        }
    }
    const { page, nextToken } = paginate(entries, (e) => e.key, input, "ListImages", repo.name, limit);
    const out: Json = { imageIds: page.map((e) => e.id) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

interface ImageFailure {
    imageId: v.ImageId;
    failureCode: string;
    failureReason: string;
}

/** Judges one requested image id the way BatchGetImage and BatchDeleteImage do. */
function checkRequestedId(id: v.ImageId): ImageFailure | undefined {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
        return { imageId: id, failureCode: "MissingDigestAndTag", failureReason: "Invalid request parameters: both tag and digest cannot be null" };
    }
    if (id.imageDigest !== undefined && !v.isDigest(id.imageDigest)) {
        return {
            imageId: id,
            failureCode: "InvalidImageDigest",
            failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        };
    }
    if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300)) {
        return { imageId: id, failureCode: "InvalidImageTag", failureReason: "Invalid request parameters: image tag must have length between 1 and 300" };
    }
    return undefined;
}

/** The image a batch call asks for, or the failure ECR reports for it (bad id, or not found). */
function requestedImage(repo: Repository, id: v.ImageId): { image: ImageRecord } | { failure: ImageFailure } {
    const failure = checkRequestedId(id);
    if (failure) return { failure };
    const image = findImage(repo, id);
    return image ? { image } : { failure: notFoundFailure(repo, id) };
}

function notFoundFailure(repo: Repository, id: v.ImageId): ImageFailure {
    if (id.imageTag !== undefined && id.imageDigest !== undefined && repo.tagIndex.has(id.imageTag)) {
        return { imageId: id, failureCode: "ImageTagDoesNotMatchDigest", failureReason: "Invalid request parameters: image tag does not match digest" };
    }
    return { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" };
}

const BatchGetImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.requireArray(input, "imageIds", 1, 100).map(v.imageId);
    const accepted = v.optionalArray(input, "acceptedMediaTypes", 1, 100);
    if (accepted && accepted.some((m) => typeof m !== "string")) throw invalidParameter("acceptedMediaTypes", "Member must be a string");
    const images: Json[] = [];
    const failures: ImageFailure[] = [];
    const served = new Set<string>();
    for (const id of ids) {
        const found = requestedImage(repo, id);
        if ("failure" in found) {
            failures.push(found.failure);
            continue;
        }
        const image = found.image;
        if (accepted && !accepted.includes(image.mediaType)) {
            // No manifest conversion here: a type the caller does not accept is not served.
            failures.push({
                imageId: id,
                failureCode: "ImageNotFound",
                failureReason: `Requested image not found in an accepted media type (stored as '${image.mediaType}')`,
            });
            continue;
        }
        const key = `${image.digest}|${id.imageTag ?? ""}`;
        if (served.has(key)) continue;
        served.add(key);
        const imageId: v.ImageId = { imageDigest: image.digest };
        if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
        images.push({
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            imageId,
            imageManifest: image.manifest,
            imageManifestMediaType: image.mediaType,
        });
    }
    return { images, failures };
};

const BatchDeleteImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const ids = v.requireArray(input, "imageIds", 1, 100).map(v.imageId);
    const deleted: v.ImageId[] = [];
    const failures: ImageFailure[] = [];
    for (const id of ids) {
        const found = requestedImage(repo, id);
        if ("failure" in found) {
            failures.push(found.failure);
            continue;
        }
        const image = found.image;
        const removesImage = id.imageTag === undefined || image.tags.length === 1;
        if (removesImage && referencingIndexes(repo, image.digest).length > 0) {
            failures.push({
                imageId: id,
                failureCode: "ImageReferencedByManifestList",
                failureReason: "Requested image is referenced by a manifest list",
            });
            continue;
        }
        if (id.imageTag !== undefined) {
            removeTag(repo, id.imageTag);
            deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
        } else {
            removeImage(repo, image.digest);
            if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
            for (const t of image.tags) deleted.push({ imageDigest: image.digest, imageTag: t });
        }
    }
    if (deleted.length) ctx.store.saveRepository(repo);
    return { imageIds: deleted, failures };
};

const PutImage: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const manifest = v.requireString(input, "imageManifest");
    if (manifest.length < 1 || manifest.length > 4194304) throw invalidParameter("imageManifest", "Member must have length between 1 and 4194304");
    const tag = v.optionalString(input, "imageTag");
    if (tag !== undefined) v.checkImageTag(tag);
    const digest = v.optionalString(input, "imageDigest");
    const { image } = putImage(ctx.store, repo, manifest, {
        mediaType: v.optionalString(input, "imageManifestMediaType"),
        tag,
        digest,
        registryId: ctx.config.accountId,
    });
    const imageId: v.ImageId = { imageDigest: image.digest };
    if (tag !== undefined) imageId.imageTag = tag;
    return {
        image: {
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            imageId,
            imageManifest: image.manifest,
            imageManifestMediaType: image.mediaType,
        },
    };
};

const GetAuthorizationToken: Operation = (ctx, input) => {
    const ids = (v.optionalArray(input, "registryIds", 1, 10) ?? [ctx.config.accountId]).map((id) => {
        if (typeof id !== "string" || !/^[0-9]{12}$/.test(id)) throw v.registryIdError("registryIds");
        return id;
    });
    const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
    return {
        authorizationData: ids.map(() => ({
            authorizationToken: Buffer.from(`AWS:${ctx.tokens.issuePassword(expiresAt)}`).toString("base64"),
            expiresAt: seconds(expiresAt),
            proxyEndpoint: ctx.config.url,
        })),
    };
};

const BatchCheckLayerAvailability: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const digests = layerDigestList(input);
    const layers: Json[] = [];
    const failures: Json[] = [];
    for (const d of digests) {
        if (!v.isDigest(d)) {
            failures.push({ layerDigest: d, failureCode: "InvalidLayerDigest", failureReason: "Invalid layer digest" });
            continue;
        }
        const link = repo.layers[d];
        if (!link) {
            failures.push({ layerDigest: d, failureCode: "MissingLayerDigest", failureReason: "Could not find layer" });
            continue;
        }
        const layer: Json = { layerDigest: d, layerAvailability: "AVAILABLE", layerSize: link.size };
        if (link.mediaType) layer.mediaType = link.mediaType;
        layers.push(layer);
    }
    return { layers, failures };
};

const InitiateLayerUpload: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = ctx.store.createUpload(repo.name, "api");
    return { uploadId: upload.id, partSize: MIN_PART_SIZE };
};

const UploadLayerPart: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = uploadFor(ctx, repo, input);
    const first = input.partFirstByte;
    const last = input.partLastByte;
    const blobText = v.requireString(input, "layerPartBlob");
    if (typeof first !== "number" || !Number.isInteger(first) || first < 0) throw invalidParameter("partFirstByte", "Member must be a non-negative integer");
    if (typeof last !== "number" || !Number.isInteger(last) || last < 0) throw invalidParameter("partLastByte", "Member must be a non-negative integer");
    const blob = Buffer.from(blobText, "base64");
    const partError = (why: string) =>
        new EcrError("InvalidLayerPartException", why, 400, {
            registryId: ctx.config.accountId,
            repositoryName: repo.name,
            uploadId: upload.id,
            lastValidByteReceived: upload.size - 1,
        });
    if (first !== upload.size) {
        throw partError(`The part's first byte ${first} does not follow the last byte received (${upload.size - 1}).`);
    }
    if (blob.length === 0 || last - first + 1 !== blob.length) {
        throw partError(`The part is ${blob.length} bytes but partFirstByte..partLastByte spans ${last - first + 1}.`);
    }
    ctx.store.appendUpload(upload.id, blob);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, uploadId: upload.id, lastByteReceived: last };
};

const CompleteLayerUpload: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const upload = uploadFor(ctx, repo, input);
    const digests = layerDigestList(input);
    for (const d of digests) {
        if (!v.isDigest(d)) throw invalidParameter("layerDigests", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
    }
    if (upload.parts.length === 0) {
        throw new EcrError("EmptyUploadException", `The upload with id '${upload.id}' does not contain any layer parts`);
    }
    const small = upload.parts.slice(0, -1).findIndex((n) => n < MIN_PART_SIZE);
    if (small >= 0) {
        ctx.store.dropUpload(upload.id);
        throw new EcrError(
            "LayerPartTooSmallException",
            `Layer part ${small + 1} is ${upload.parts[small]} bytes; every part but the last must be at least ${MIN_PART_SIZE} bytes`,
        );
    }
    const actual = ctx.store.uploadDigest(upload.id);
    if (!digests.includes(actual)) {
        ctx.store.dropUpload(upload.id);
        throw new EcrError(
            "InvalidLayerException",
            `The layer digest calculation performed by Amazon ECR when the image layer was uploaded (${actual}) does not match the digest specified (${digests.join(", ")})`,
        );
    }
    if (repo.layers[actual]) {
        ctx.store.dropUpload(upload.id);
        throw new EcrError(
            "LayerAlreadyExistsException",
            `The layer with digest '${actual}' already exists in the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    const size = ctx.store.commitUpload(upload.id, actual);
    repo.layers[actual] = { size };
    ctx.store.saveRepository(repo);
    return { registryId: ctx.config.accountId, repositoryName: repo.name, uploadId: upload.id, layerDigest: actual };
};

/** The signed, unauthenticated URL that serves a layer's bytes (like ECR's pre-signed S3 URL). */
export function downloadUrl(ctx: ApiContext, repository: string, digest: string): string {
    const expires = Date.now() + DOWNLOAD_URL_LIFETIME_MS;
    const sig = ctx.tokens.signDownload(repository, digest, expires);
    return `${ctx.config.url}/_layers/${encodeURIComponent(repository)}/${digest}?expires=${expires}&signature=${sig}`;
}

const GetDownloadUrlForLayer: Operation = (ctx, input) => {
    const repo = requestedRepository(ctx, input);
    const digest = v.requireString(input, "layerDigest");
    if (!v.isDigest(digest)) throw invalidParameter("layerDigest", "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
    if (!repo.layers[digest]) {
        throw new EcrError(
            "LayersNotFoundException",
            `The layer with digest '${digest}' does not exist in the repository with name '${repo.name}' in the registry with id '${ctx.config.accountId}'`,
        );
    }
    return { downloadUrl: downloadUrl(ctx, repo.name, digest), layerDigest: digest };
};

/** Every operation the endpoint serves, by the name in `X-Amz-Target`. */
export const OPERATIONS: Record<string, Operation> = {
    CreateRepository,
    DescribeRepositories,
    DeleteRepository,
    PutImageTagMutability,
    PutImageScanningConfiguration,
    TagResource,
    UntagResource,
    ListTagsForResource,
    SetRepositoryPolicy,
    GetRepositoryPolicy,
    DeleteRepositoryPolicy,
    PutLifecyclePolicy,
    GetLifecyclePolicy,
    DeleteLifecyclePolicy,
    DescribeImages,
    ListImages,
    BatchGetImage,
    BatchDeleteImage,
    PutImage,
    GetAuthorizationToken,
    BatchCheckLayerAvailability,
    InitiateLayerUpload,
    UploadLayerPart,
    CompleteLayerUpload,
    GetDownloadUrlForLayer,
    ...registryOperations,
    ...pullThroughCacheOperations,
    ...creationTemplateOperations,
};

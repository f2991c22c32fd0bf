/**
 * Input checks with the constraints of the ECR API reference. Each returns the checked value
 * or throws `InvalidParameterException` naming the member, as ECR does.
 */
import { EcrException, invalidParameter } from "./exceptions";

/** The repository name pattern from the ECR API reference. */
export const REPOSITORY_NAME_PATTERN = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
const REPOSITORY_NAME_RE = new RegExp(`^${REPOSITORY_NAME_PATTERN}$`);
const DIGEST_RE = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;
const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
/** The OCI Distribution tag grammar; the registry side enforces it like any registry. */
export const OCI_TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export type Json = Record<string, unknown>;

export function requireString(input: Json, field: string): string {
    const v = input[field];
    if (v === undefined || v === null) {
        throw invalidParameter(field, "Member must not be null");
    }
    if (typeof v !== "string") throw invalidParameter(field, "Member must be a string");
    return v;
}

export function optionalString(input: Json, field: string): string | undefined {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalidParameter(field, "Member must be a string");
    return v;
}

export function optionalBoolean(input: Json, field: string): boolean | undefined {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw invalidParameter(field, "Member must be a boolean");
    return v;
}

export function optionalArray(input: Json, field: string, min: number, max: number): unknown[] | undefined {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw invalidParameter(field, "Member must be a list");
    if (v.length < min || v.length > max) {
        throw invalidParameter(field, `Member must have length between ${min} and ${max}`);
    }
    return v;
}

export function requireArray(input: Json, field: string, min: number, max: number): unknown[] {
    const v = optionalArray(input, field, min, max);
    if (v === undefined) throw invalidParameter(field, "Member must not be null");
    return v;
}

export function optionalObject(input: Json, field: string): Json | undefined {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw invalidParameter(field, "Member must be a structure");
    return v as Json;
}

export function repositoryName(input: Json, field = "repositoryName"): string {
    const name = requireString(input, field);
    checkRepositoryName(name, field);
    return name;
}

export function checkRepositoryName(name: string, field = "repositoryName"): void {
    if (name.length < 2 || name.length > 256) {
        throw invalidParameter(field, "Member must have length between 2 and 256");
    }
    if (!REPOSITORY_NAME_RE.test(name)) {
        throw invalidParameter(field, `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
    }
}

/** `maxResults`: an integer within [1, max]; `undefined` when absent. */
export function maxResults(input: Json, max: number): number | undefined {
    const v = input.maxResults;
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
        throw invalidParameter("maxResults", `Member must have value between 1 and ${max}`);
    }
    return v;
}

export function isDigest(s: string): boolean {
    return DIGEST_RE.test(s);
}

export function isSha256Digest(s: string): boolean {
    return SHA256_DIGEST_RE.test(s);
}

export function checkImageTag(tag: string, field = "imageTag"): void {
    if (tag.length < 1 || tag.length > 300) {
        throw invalidParameter(field, "Member must have length between 1 and 300");
    }
}

export interface ImageId {
    imageDigest?: string;
    imageTag?: string;
}

/** Reads one `ImageIdentifier` without judging it; callers decide how a bad one fails. */
export function imageId(v: unknown): ImageId {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidParameter("imageIds", "Member must be a structure");
    const o = v as Json;
    const id: ImageId = {};
    const d = optionalString(o, "imageDigest");
    const t = optionalString(o, "imageTag");
    if (d !== undefined) id.imageDigest = d;
    if (t !== undefined) id.imageTag = t;
    return id;
}

export const TAG_STATUSES = ["TAGGED", "UNTAGGED", "ANY"] as const;
export type TagStatus = (typeof TAG_STATUSES)[number];

/** `filter.tagStatus` of DescribeImages / ListImages. */
export function tagStatusFilter(input: Json): TagStatus {
    const filter = optionalObject(input, "filter");
    if (!filter) return "ANY";
    const status = optionalString(filter, "tagStatus");
    if (status === undefined) return "ANY";
    if (!(TAG_STATUSES as readonly string[]).includes(status)) {
        throw invalidParameter("filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
    }
    const imageStatus = optionalString(filter, "imageStatus");
    if (imageStatus !== undefined && !["ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"].includes(imageStatus)) {
        throw invalidParameter("filter.imageStatus", "Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]");
    }
    return status as TagStatus;
}

/** Images of the local endpoint are always ACTIVE; an ARCHIVED/ACTIVATING filter therefore matches none. */
export function imageStatusMatchesActive(input: Json): boolean {
    const filter = optionalObject(input, "filter");
    const s = filter ? optionalString(filter, "imageStatus") : undefined;
    return s === undefined || s === "ACTIVE" || s === "ANY";
}

export interface ResourceTag {
    Key: string;
    Value: string;
}

/** Tags as ECR constrains them: key 1-128 chars and not `aws:`-prefixed, value 0-256 chars. */
export function resourceTags(list: unknown[], field = "tags"): ResourceTag[] {
    return list.map((t) => {
        if (typeof t !== "object" || t === null) throw invalidParameter(field, "Member must be a structure");
        const o = t as Json;
        const key = o.Key;
        const value = o.Value;
        if (typeof key !== "string" || key.length < 1 || key.length > 128) {
            throw new EcrException("InvalidTagParameterException", "Tag key must have length between 1 and 128");
        }
        if (key.toLowerCase().startsWith("aws:")) {
            throw new EcrException("InvalidTagParameterException", "Tag keys with the prefix 'aws:' are reserved");
        }
        if (typeof value !== "string" || value.length > 256) {
            throw new EcrException("InvalidTagParameterException", "Tag value must be a string of at most 256 characters");
        }
        return { Key: key, Value: value };
    });
}

/** A registry id that is not 12 digits. */
export function registryIdError(field = "registryId"): EcrException {
    return invalidParameter(field, "must satisfy regular expression '[0-9]{12}'");
}

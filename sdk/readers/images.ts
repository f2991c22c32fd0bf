/**
 * Images: the finders behind `getImage` / `getImages` (and `mostRecentImageTags` of
 * `getRepository`), each the fewest DescribeImages calls the API allows, and the mapping from
 * ECR's `ImageDetail` to the result shape. Field names follow `aws.ecr.getImage`.
 */
import { DescribeImagesCommand, ECRClient, ImageDetail, ImageIdentifier, TagStatus, paginateDescribeImages } from "@aws-sdk/client-ecr";
import {
    PAGE_SIZE,
    assertValid,
    checkDigest,
    checkExactlyOne,
    checkRegistryId,
    checkTag,
    clientFor,
    repositoryUri,
    unixSeconds,
} from "./common";
import { goneOr, notFound, wrap } from "../../provider/errors";
import { repositoryGoneOr } from "../../provider/repository";
import { Failures } from "../../provider/validate";

const KIND = "Image";
/** The exceptions DescribeImages raises for an image that does not exist (its repository's are REPOSITORY_GONE). */
export const IMAGE_GONE = ["ImageNotFoundException"] as const;

/** One image, as `getImage` and `getImages` report it. */
export interface ImageResult {
    /** The image digest (as `aws.ecr.getImage` sets `id`). */
    id: string;
    /** Account id of the registry that holds the image. */
    registryId: string;
    /** Name of the repository that holds the image. */
    repositoryName: string;
    /** `sha256:<64 hex>`: the digest of the image manifest. */
    imageDigest: string;
    /** Every tag on the image; `[]` when untagged. */
    imageTags: string[];
    /** When the image was pushed, in unix seconds (as `aws.ecr.getImage`). */
    imagePushedAt: number;
    /** Size of the image in the repository, in bytes. */
    imageSizeInBytes: number;
    /** `<repositoryUrl>@<imageDigest>`: pulls exactly this image, whatever its tags do later. */
    imageUri: string;
    /** Media type of the manifest, e.g. `application/vnd.oci.image.manifest.v1+json`. */
    imageManifestMediaType?: string;
    /** Media type of the artifact's config, for non-image artifacts. */
    artifactMediaType?: string;
    /** When the image was last pulled, in unix seconds, as ECR records it (updated about once a day). */
    lastRecordedPullTime?: number;
    /** The region the image was read from. */
    region: string;
}

/** `ImageDetail` → {@link ImageResult}. */
export function imageResult(d: ImageDetail, repositoryUrl: string, region: string): ImageResult {
    const digest = d.imageDigest ?? "";
    return {
        id: digest,
        registryId: d.registryId ?? "",
        repositoryName: d.repositoryName ?? "",
        imageDigest: digest,
        imageTags: [...(d.imageTags ?? [])].sort(),
        imagePushedAt: unixSeconds(d.imagePushedAt) ?? 0,
        imageSizeInBytes: d.imageSizeInBytes ?? 0,
        imageUri: `${repositoryUrl}@${digest}`,
        imageManifestMediaType: d.imageManifestMediaType,
        artifactMediaType: d.artifactMediaType,
        lastRecordedPullTime: unixSeconds(d.lastRecordedPullTime),
        region,
    };
}

/** Newest first by push time (full precision), then by digest so equal times have a stable order. */
export function newestFirst(a: ImageDetail, b: ImageDetail): number {
    const ta = a.imagePushedAt?.getTime() ?? 0;
    const tb = b.imagePushedAt?.getTime() ?? 0;
    if (ta !== tb) return tb - ta;
    return (a.imageDigest ?? "") < (b.imageDigest ?? "") ? -1 : (a.imageDigest ?? "") > (b.imageDigest ?? "") ? 1 : 0;
}

/** `repo:tag`, `repo@sha256:…`, or `repo` (most recent): how messages name the image asked for. */
function imageRef(repositoryName: string, id: ImageIdentifier | undefined, registryId?: string): string {
    const ref = id?.imageTag
        ? `${repositoryName}:${id.imageTag}`
        : id?.imageDigest
          ? `${repositoryName}@${id.imageDigest}`
          : repositoryName;
    return registryId ? `${registryId}/${ref}` : ref;
}

// ---------- finders ----------

/**
 * The image with this tag or digest: one DescribeImages call with `imageIds`. NotFoundError names
 * the repository and the tag (or digest) when either does not exist.
 */
export async function findImageById(
    client: ECRClient,
    repositoryName: string,
    id: ImageIdentifier,
    registryId?: string,
): Promise<ImageDetail> {
    let out;
    try {
        out = await client.send(new DescribeImagesCommand({ repositoryName, registryId, imageIds: [id] }));
    } catch (e) {
        const gone = goneOr(e, IMAGE_GONE, KIND, imageRef(repositoryName, id, registryId), {
            detail: missingImage(repositoryName, id, registryId),
        });
        throw gone === e ? repositoryGoneOr(e, repositoryName, registryId) : gone;
    }
    const detail = out.imageDetails?.[0];
    if (!detail) throw notFound(KIND, imageRef(repositoryName, id, registryId), { detail: missingImage(repositoryName, id, registryId) });
    return detail;
}

/** `repository "app" has no image tagged "1.0"`: what a NotFoundError for an image says after the colon. */
export function missingImage(repositoryName: string, id: ImageIdentifier, registryId?: string): string {
    const what = id.imageTag ? `no image tagged "${id.imageTag}"` : `no image with digest ${id.imageDigest}`;
    const where = registryId ? ` in registry ${registryId}` : "";
    return `repository "${repositoryName}"${where} has ${what}`;
}

/**
 * Every image of the repository (optionally only TAGGED or UNTAGGED ones, filtered by ECR), read
 * through the SDK paginator at 1000 per page: ⌈n/1000⌉ DescribeImages calls, at least one.
 * `visit` sees each page as it arrives, so callers that keep only a maximum hold one page at a time.
 */
export async function forEachImage(
    client: ECRClient,
    repositoryName: string,
    opts: { registryId?: string; tagStatus?: TagStatus },
    visit: (page: ImageDetail[]) => void,
): Promise<void> {
    try {
        const pages = paginateDescribeImages(
            { client, pageSize: PAGE_SIZE },
            { repositoryName, registryId: opts.registryId, filter: opts.tagStatus ? { tagStatus: opts.tagStatus } : undefined },
        );
        for await (const page of pages) visit(page.imageDetails ?? []);
    } catch (e) {
        throw repositoryGoneOr(e, repositoryName, opts.registryId);
    }
}

/**
 * The most recently pushed image, in one pass over every page (ECR returns images in no
 * particular order, so no page can be skipped). Undefined when the repository holds no image.
 */
export async function findMostRecentImage(
    client: ECRClient,
    repositoryName: string,
    registryId?: string,
): Promise<ImageDetail | undefined> {
    let newest: ImageDetail | undefined;
    await forEachImage(client, repositoryName, { registryId }, (page) => {
        for (const d of page) if (!newest || newestFirst(d, newest) < 0) newest = d;
    });
    return newest;
}

// ---------- getImage ----------

/** Arguments of `getImage`; names follow `aws.ecr.getImage`. */
export interface GetImageArgs {
    /** Name of the repository. */
    repositoryName: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** Select the image by tag. Exactly one of `imageTag`, `imageDigest`, `mostRecent`. */
    imageTag?: string;
    /** Select the image by digest (`sha256:<64 hex>`). Exactly one of `imageTag`, `imageDigest`, `mostRecent`. */
    imageDigest?: string;
    /** Select the most recently pushed image. Exactly one of `imageTag`, `imageDigest`, `mostRecent`. */
    mostRecent?: boolean;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getImage` returns: the image, plus the selector it was asked with (as `aws.ecr.getImage`). */
export interface GetImageResult extends ImageResult {
    /** The tag it was selected by, if any. */
    imageTag?: string;
    /** Whether it was selected as the most recent image. */
    mostRecent?: boolean;
}

/** Checks `getImage` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetImageArgs(args: GetImageArgs): void {
    const f = new Failures();
    f.repositoryName("repositoryName", args?.repositoryName);
    checkRegistryId(f, "registryId", args?.registryId);
    checkExactlyOne(f, { ...args }, ["imageTag", "imageDigest", "mostRecent"]);
    if (args?.imageTag !== undefined) checkTag(f, "imageTag", args.imageTag);
    if (args?.imageDigest !== undefined) checkDigest(f, "imageDigest", args.imageDigest);
    f.bool("mostRecent", args?.mostRecent);
    f.region("region", args?.region);
    assertValid("getImage", f);
}

/**
 * One image by tag, digest or push time. Calls: one DescribeImages for a tag or digest; for
 * `mostRecent`, one per 1000 images in the repository. Nothing else: `imageUri` is derived.
 */
export async function readImage(args: GetImageArgs, client?: ECRClient): Promise<GetImageResult> {
    validateGetImageArgs(args);
    const { repositoryName, registryId } = args;
    const { client: c, region } = await clientFor(args.region, client);
    const id: ImageIdentifier | undefined = args.imageTag
        ? { imageTag: args.imageTag }
        : args.imageDigest
          ? { imageDigest: args.imageDigest }
          : undefined;
    const detail = await wrap("reading", KIND, imageRef(repositoryName, id, registryId), async () => {
        if (id) return findImageById(c, repositoryName, id, registryId);
        const newest = await findMostRecentImage(c, repositoryName, registryId);
        if (!newest) {
            const where = registryId ? ` in registry ${registryId}` : "";
            throw notFound(KIND, `${repositoryName}, most recent`, { detail: `repository "${repositoryName}"${where} holds no images` });
        }
        return newest;
    });
    const url = await repositoryUri(c, detail.registryId ?? registryId ?? "", region, detail.repositoryName ?? repositoryName);
    return {
        ...imageResult(detail, url, region),
        ...(args.imageTag !== undefined ? { imageTag: args.imageTag } : {}),
        ...(args.mostRecent !== undefined ? { mostRecent: args.mostRecent } : {}),
    };
}

// ---------- getImages ----------

/** The `tagStatus` values of `getImages`, the one source of {@link ImageTagStatus}. */
export const IMAGE_TAG_STATUSES = ["TAGGED", "UNTAGGED", "ANY"] as const satisfies readonly TagStatus[];
/** Which images `getImages` lists by tag: one of {@link IMAGE_TAG_STATUSES}. */
export type ImageTagStatus = (typeof IMAGE_TAG_STATUSES)[number];

/** Arguments of `getImages`. */
export interface GetImagesArgs {
    /** Name of the repository. */
    repositoryName: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** Only tagged or only untagged images; ECR applies it (DescribeImages `filter`). @default "ANY" (or "TAGGED" with `tagPattern`) */
    tagStatus?: ImageTagStatus;
    /** Only images with a tag matching this pattern; `*` matches any run of characters, e.g. `"v1.*"`. */
    tagPattern?: string;
    /** Only images pushed after this time: an ISO 8601 string or unix seconds. */
    pushedAfter?: string | number;
    /** At most this many images (the newest). @default all */
    limit?: number;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getImages` returns. */
export interface GetImagesResult {
    /** The repository name (as `aws.ecr.getImages` sets `id`). */
    id: string;
    /** Name of the repository the images were listed from. */
    repositoryName: string;
    /** Account id of the registry that holds the repository. */
    registryId: string;
    /** The region the images were read from. */
    region: string;
    /** The matching images, newest first. */
    images: ImageResult[];
    /** One entry per tag (or per untagged image), as `aws.ecr.getImages` reports `imageIds`. */
    imageIds: { imageDigest: string; imageTag?: string }[];
}

const TAG_PATTERN = /^[A-Za-z0-9._*-]{1,300}$/;

/** `v1.*` → /^v1\..*$/: `*` is the only wildcard, everything else is literal (as in ECR lifecycle rules). */
export function tagPatternRegExp(pattern: string): RegExp {
    return new RegExp(
        `^${pattern
            .split("*")
            .map((s) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))
            .join(".*")}$`,
    );
}

/** `pushedAfter` as epoch milliseconds, or undefined when it is not a time. */
export function pushedAfterMs(v: string | number): number | undefined {
    if (typeof v === "number") return Number.isFinite(v) ? v * 1000 : undefined;
    if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
}

/** Checks `getImages` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetImagesArgs(args: GetImagesArgs): void {
    const f = new Failures();
    f.repositoryName("repositoryName", args?.repositoryName);
    checkRegistryId(f, "registryId", args?.registryId);
    f.oneOf("tagStatus", args?.tagStatus, IMAGE_TAG_STATUSES);
    if (args?.tagPattern !== undefined) {
        if (typeof args.tagPattern !== "string" || !TAG_PATTERN.test(args.tagPattern)) {
            f.add(
                "tagPattern",
                `must be 1 to 300 letters, digits, . _ - and the wildcard *, e.g. "v1.*", got ${JSON.stringify(args.tagPattern)}`,
            );
        }
        if (args.tagStatus === "UNTAGGED") f.add("tagPattern", `matches tags, so it cannot be combined with tagStatus "UNTAGGED"`);
    }
    if (args?.pushedAfter !== undefined && pushedAfterMs(args.pushedAfter) === undefined) {
        f.add(
            "pushedAfter",
            `must be an ISO 8601 time such as "2024-05-01T00:00:00Z" or unix seconds, got ${JSON.stringify(args.pushedAfter)}`,
        );
    }
    if (args?.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 1)) {
        f.add("limit", `must be a positive whole number, got ${JSON.stringify(args.limit)}`);
    }
    f.region("region", args?.region);
    assertValid("getImages", f);
}

/**
 * Every matching image, newest first. ECR filters by tag status; the tag pattern and push time
 * are applied here, because DescribeImages has no such filter. Calls: one DescribeImages per 1000
 * images that pass the tag-status filter. `limit` cannot save calls: ECR returns images in no
 * particular order, so the newest `limit` are known only after the last page.
 */
export async function readImages(args: GetImagesArgs, client?: ECRClient): Promise<GetImagesResult> {
    validateGetImagesArgs(args);
    const { repositoryName, registryId } = args;
    const { client: c, region } = await clientFor(args.region, client);
    const tagStatus = args.tagStatus && args.tagStatus !== "ANY" ? args.tagStatus : args.tagPattern !== undefined ? "TAGGED" : undefined;
    const pattern = args.tagPattern !== undefined ? tagPatternRegExp(args.tagPattern) : undefined;
    const after = args.pushedAfter !== undefined ? pushedAfterMs(args.pushedAfter) : undefined;

    const kept: ImageDetail[] = [];
    await wrap("listing", "Images", imageRef(repositoryName, undefined, registryId), () =>
        forEachImage(c, repositoryName, { registryId, tagStatus }, (page) => {
            for (const d of page) {
                if (pattern && !(d.imageTags ?? []).some((t) => pattern.test(t))) continue;
                if (after !== undefined && (d.imagePushedAt?.getTime() ?? 0) <= after) continue;
                kept.push(d);
            }
        }),
    );
    kept.sort(newestFirst);
    const chosen = args.limit !== undefined ? kept.slice(0, args.limit) : kept;
    const reg = chosen[0]?.registryId ?? registryId ?? "";
    const url = await repositoryUri(c, reg, region, repositoryName);
    const images = chosen.map((d) => imageResult(d, url, region));
    return {
        id: repositoryName,
        repositoryName,
        registryId: reg,
        region,
        images,
        imageIds: images.flatMap((i) =>
            i.imageTags.length
                ? i.imageTags.map((imageTag) => ({ imageDigest: i.imageDigest, imageTag }))
                : [{ imageDigest: i.imageDigest }],
        ),
    };
}

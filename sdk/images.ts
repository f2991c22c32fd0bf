/**
 * Image data sources: `getImage`, `getImages` and `getImageManifest`, each with its `...Output`
 * form. Names, arguments and results follow `aws.ecr.getImage` where it has the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { GetImageArgs, GetImageResult, GetImagesArgs, GetImagesResult, ImageResult, readImage, readImages } from "./readers/images";
import { GetImageManifestArgs, GetImageManifestResult, ManifestBlob, ManifestEntry, readImageManifest } from "./readers/imageManifest";
import { InputArgs, invokeOutput, withStackRegion } from "./dataSource";

export type { GetImageArgs, GetImageResult, GetImagesArgs, GetImagesResult, ImageResult };
export type { GetImageManifestArgs, GetImageManifestResult, ManifestBlob, ManifestEntry };

/** Arguments of {@link getImageOutput}: those of {@link getImage}, each an `Input`. */
export interface GetImageOutputArgs extends InputArgs<GetImageArgs> {}
/** Arguments of {@link getImagesOutput}: those of {@link getImages}, each an `Input`. */
export interface GetImagesOutputArgs extends InputArgs<GetImagesArgs> {}
/** Arguments of {@link getImageManifestOutput}: those of {@link getImageManifest}, each an `Input`. */
export interface GetImageManifestOutputArgs extends InputArgs<GetImageManifestArgs> {}

/**
 * One image of a repository, selected by exactly one of `imageTag`, `imageDigest` or
 * `mostRecent`. One DescribeImages call for a tag or digest; for `mostRecent`, one per 1000
 * images. Rejects bad arguments before any call; a missing repository or image is an error that
 * names both.
 *
 * @example
 * const img = await ecr.getImage({ repositoryName: "app", imageTag: "1.4.2" });
 * // img.imageDigest === "sha256:…", img.imageUri === "<account>.dkr.ecr.<region>.amazonaws.com/app@sha256:…"
 */
export function getImage(args: GetImageArgs, _opts?: pulumi.InvokeOptions): Promise<GetImageResult> {
    return readImage(withStackRegion(args));
}

/**
 * {@link getImage} over `Input` arguments, as an `Output`.
 *
 * @example
 * export const digest = ecr.getImageOutput({ repositoryName: repo.name, imageTag: "latest" }).imageDigest;
 */
export function getImageOutput(args: GetImageOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetImageResult> {
    return invokeOutput(args, opts, getImage);
}

/**
 * Every image of a repository that matches the filters, newest first. `tagStatus` is applied by
 * ECR (DescribeImages `filter`); `tagPattern`, `pushedAfter` and `limit` are applied to the pages
 * as they arrive. Calls: one DescribeImages per 1000 images passing the tag-status filter, every
 * page always (ECR returns images in no particular order, so the newest are known only at the end).
 *
 * @example
 * const { images } = await ecr.getImages({ repositoryName: "app", tagPattern: "v1.*", limit: 5 });
 */
export function getImages(args: GetImagesArgs, _opts?: pulumi.InvokeOptions): Promise<GetImagesResult> {
    return readImages(withStackRegion(args));
}

/** {@link getImages} over `Input` arguments, as an `Output`. */
export function getImagesOutput(args: GetImagesOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetImagesResult> {
    return invokeOutput(args, opts, getImages);
}

/**
 * The manifest of one image (one BatchGetImage call): its text, media type and digest, the
 * sha256 of the text as a check, and for a multi-platform image the digest of each platform.
 *
 * @example
 * const m = await ecr.getImageManifest({ repositoryName: "app", imageTag: "1.4.2" });
 * const arm = m.platformDigests["linux/arm64"];
 */
export function getImageManifest(args: GetImageManifestArgs, _opts?: pulumi.InvokeOptions): Promise<GetImageManifestResult> {
    return readImageManifest(withStackRegion(args));
}

/** {@link getImageManifest} over `Input` arguments, as an `Output`. */
export function getImageManifestOutput(
    args: GetImageManifestOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetImageManifestResult> {
    return invokeOutput(args, opts, getImageManifest);
}

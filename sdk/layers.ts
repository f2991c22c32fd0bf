/**
 * Layer data sources: `getLayerAvailability` ("is this layer already there") and
 * `getLayerDownloadUrl`, each with its `...Output` form.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    GetLayerAvailabilityArgs,
    GetLayerAvailabilityResult,
    GetLayerDownloadUrlArgs,
    GetLayerDownloadUrlResult,
    LayerAvailability,
    readLayerAvailability,
    readLayerDownloadUrl,
} from "./readers/layers";
import { InputArgs, invokeOutput, secretExcept, withStackRegion } from "./dataSource";

export type { GetLayerAvailabilityArgs, GetLayerAvailabilityResult, GetLayerDownloadUrlArgs, GetLayerDownloadUrlResult, LayerAvailability };

/** Arguments of {@link getLayerAvailabilityOutput}: those of {@link getLayerAvailability}, each an `Input`. */
export interface GetLayerAvailabilityOutputArgs extends InputArgs<GetLayerAvailabilityArgs> {}
/** Arguments of {@link getLayerDownloadUrlOutput}: those of {@link getLayerDownloadUrl}, each an `Input`. */
export interface GetLayerDownloadUrlOutputArgs extends InputArgs<GetLayerDownloadUrlArgs> {}

/**
 * Whether each layer is already in the repository, and its size: one BatchCheckLayerAvailability
 * call per 100 distinct digests. Digests ECR does not know come back with `available: false` and
 * ECR's failure code, and in `failures` as ECR reported them.
 *
 * @example
 * const { missingLayerDigests } = await ecr.getLayerAvailability({ repositoryName: "app", layerDigests: manifest.layers.map((l) => l.digest) });
 */
export function getLayerAvailability(args: GetLayerAvailabilityArgs, _opts?: pulumi.InvokeOptions): Promise<GetLayerAvailabilityResult> {
    return readLayerAvailability(withStackRegion(args));
}

/** {@link getLayerAvailability} over `Input` arguments, as an `Output`. */
export function getLayerAvailabilityOutput(
    args: GetLayerAvailabilityOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetLayerAvailabilityResult> {
    return invokeOutput(args, opts, getLayerAvailability);
}

/**
 * A pre-signed URL that downloads one layer blob (one GetDownloadUrlForLayer call). A digest the
 * repository does not hold is an error that names the repository and the digest.
 */
export function getLayerDownloadUrl(args: GetLayerDownloadUrlArgs, _opts?: pulumi.InvokeOptions): Promise<GetLayerDownloadUrlResult> {
    return readLayerDownloadUrl(withStackRegion(args));
}

/**
 * {@link getLayerDownloadUrl} as an `Output`. The URL grants access to the layer while it lasts,
 * so the result and its `downloadUrl` are secret; `layerDigest`, `repositoryName`, `region` and `id`
 * read from it are plain.
 */
export function getLayerDownloadUrlOutput(
    args: GetLayerDownloadUrlOutputArgs,
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetLayerDownloadUrlResult> {
    return secretExcept(invokeOutput(args, opts, getLayerDownloadUrl), ["id", "repositoryName", "layerDigest", "region"]);
}

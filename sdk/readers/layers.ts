/**
 * Layers: `getLayerAvailability` (BatchCheckLayerAvailability, at most 100 digests per call) and
 * `getLayerDownloadUrl` (GetDownloadUrlForLayer).
 */
import { BatchCheckLayerAvailabilityCommand, ECRClient, GetDownloadUrlForLayerCommand, Layer, LayerFailure } from "@aws-sdk/client-ecr";
import { assertValid, checkDigest, checkNonEmptyList, checkRegistryId, clientFor } from "./common";
import { EcrError, goneOr, isA, wrap } from "../../provider/errors";
import { repositoryGoneOr } from "../../provider/repository";

/** The exception GetDownloadUrlForLayer raises for a digest the repository does not hold (its repository's are REPOSITORY_GONE). */
export const LAYER_GONE = ["LayersNotFoundException"] as const;
import { Failures } from "../../provider/validate";

/** BatchCheckLayerAvailability takes 1 to 100 digests per call (ECR API reference). */
export const LAYER_BATCH_SIZE = 100;

/** Arguments of `getLayerAvailability`. */
export interface GetLayerAvailabilityArgs {
    /** Name of the repository. */
    repositoryName: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** Digests (`sha256:<64 hex>`) of the layers to look for; any number, asked 100 per call. */
    layerDigests: string[];
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** One requested digest and what ECR knows of it. */
export interface LayerAvailability {
    /** The digest asked about. */
    layerDigest: string;
    /** True when ECR reports the layer AVAILABLE in this repository. */
    available: boolean;
    /** ECR's `layerAvailability` (`AVAILABLE` / `UNAVAILABLE`); absent when ECR reported a failure instead. */
    layerAvailability?: string;
    /** Size in bytes, when ECR knows the layer. */
    layerSize?: number;
    /** Media type of the layer, when ECR knows the layer. */
    mediaType?: string;
    /** ECR's failure code for this digest (e.g. `MissingLayerDigest`), if any. */
    failureCode?: string;
    /** ECR's explanation of `failureCode`, if any. */
    failureReason?: string;
}

/** What `getLayerAvailability` returns. */
export interface GetLayerAvailabilityResult {
    /** The repository name (as `id`). */
    id: string;
    /** Name of the repository the layers were looked for in. */
    repositoryName: string;
    /** One entry per distinct requested digest, in the order asked. */
    layers: LayerAvailability[];
    /** The failures exactly as ECR reported them. */
    failures: { layerDigest: string; failureCode: string; failureReason: string }[];
    /** True when every requested layer is available. */
    allAvailable: boolean;
    /** The requested digests that are not available (missing or failed). */
    missingLayerDigests: string[];
    /** The region the layers were looked for in. */
    region: string;
}

/** Checks `getLayerAvailability` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetLayerAvailabilityArgs(args: GetLayerAvailabilityArgs): void {
    const f = new Failures();
    f.repositoryName("repositoryName", args?.repositoryName);
    checkRegistryId(f, "registryId", args?.registryId);
    if (checkNonEmptyList(f, "layerDigests", args?.layerDigests)) {
        args.layerDigests.forEach((d, i) => checkDigest(f, `layerDigests[${i}]`, d));
    }
    f.region("region", args?.region);
    assertValid("getLayerAvailability", f);
}

/** Which layers the repository holds: ⌈distinct digests / 100⌉ BatchCheckLayerAvailability calls. */
export async function readLayerAvailability(args: GetLayerAvailabilityArgs, client?: ECRClient): Promise<GetLayerAvailabilityResult> {
    validateGetLayerAvailabilityArgs(args);
    const { repositoryName, registryId } = args;
    const { client: c, region } = await clientFor(args.region, client);
    const digests = [...new Set(args.layerDigests)];
    const found = new Map<string, Layer>();
    const failed = new Map<string, LayerFailure>();
    const failures: GetLayerAvailabilityResult["failures"] = [];

    await wrap("checking layers of", "Repository", repositoryName, async () => {
        for (let i = 0; i < digests.length; i += LAYER_BATCH_SIZE) {
            const batch = digests.slice(i, i + LAYER_BATCH_SIZE);
            let out;
            try {
                out = await c.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, registryId, layerDigests: batch }));
            } catch (e) {
                throw repositoryGoneOr(e, repositoryName, registryId);
            }
            for (const l of out.layers ?? []) if (l.layerDigest) found.set(l.layerDigest, l);
            for (const x of out.failures ?? []) {
                if (x.layerDigest) failed.set(x.layerDigest, x);
                failures.push({ layerDigest: x.layerDigest ?? "", failureCode: x.failureCode ?? "", failureReason: x.failureReason ?? "" });
            }
        }
    });

    const layers = digests.map((d): LayerAvailability => {
        const l = found.get(d);
        const x = failed.get(d);
        return {
            layerDigest: d,
            available: l?.layerAvailability === "AVAILABLE",
            ...(l?.layerAvailability ? { layerAvailability: l.layerAvailability } : {}),
            ...(l?.layerSize !== undefined ? { layerSize: l.layerSize } : {}),
            ...(l?.mediaType ? { mediaType: l.mediaType } : {}),
            ...(x ? { failureCode: x.failureCode, failureReason: x.failureReason } : {}),
        };
    });
    const missingLayerDigests = layers.filter((l) => !l.available).map((l) => l.layerDigest);
    return {
        id: repositoryName,
        repositoryName,
        layers,
        failures,
        allAvailable: missingLayerDigests.length === 0,
        missingLayerDigests,
        region,
    };
}

/** Arguments of `getLayerDownloadUrl`. */
export interface GetLayerDownloadUrlArgs {
    /** Name of the repository. */
    repositoryName: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** Digest (`sha256:<64 hex>`) of the layer. */
    layerDigest: string;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getLayerDownloadUrl` returns. */
export interface GetLayerDownloadUrlResult {
    /** The layer digest (as `id`). */
    id: string;
    /** Name of the repository that holds the layer. */
    repositoryName: string;
    /** A pre-signed URL that serves the layer blob for a limited time; anyone holding it can download the layer. */
    downloadUrl: string;
    /** The digest of the layer the URL serves. */
    layerDigest: string;
    /** The region the URL was issued in. */
    region: string;
}

/** Checks `getLayerDownloadUrl` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetLayerDownloadUrlArgs(args: GetLayerDownloadUrlArgs): void {
    const f = new Failures();
    f.repositoryName("repositoryName", args?.repositoryName);
    checkRegistryId(f, "registryId", args?.registryId);
    checkDigest(f, "layerDigest", args?.layerDigest);
    f.region("region", args?.region);
    assertValid("getLayerDownloadUrl", f);
}

/** Where to download one layer: one GetDownloadUrlForLayer call. */
export async function readLayerDownloadUrl(args: GetLayerDownloadUrlArgs, client?: ECRClient): Promise<GetLayerDownloadUrlResult> {
    validateGetLayerDownloadUrlArgs(args);
    const { repositoryName, registryId, layerDigest } = args;
    const { client: c, region } = await clientFor(args.region, client);
    const where = registryId ? ` in registry ${registryId}` : "";
    const out = await wrap("reading the download URL of", "Layer", `${repositoryName}@${layerDigest}`, async () => {
        try {
            return await c.send(new GetDownloadUrlForLayerCommand({ repositoryName, registryId, layerDigest }));
        } catch (e) {
            if (isA(e, "LayerInaccessibleException")) {
                const hint = "the layer was uploaded but belongs to no image yet; push the image manifest that references it first";
                throw new EcrError("reading the download URL of", "Layer", `${repositoryName}@${layerDigest}`, e, hint);
            }
            const gone = goneOr(e, LAYER_GONE, "Layer", `${repositoryName}@${layerDigest}`, {
                detail: `repository "${repositoryName}"${where} holds no layer with that digest`,
            });
            throw gone === e ? repositoryGoneOr(e, repositoryName, registryId) : gone;
        }
    });
    return {
        id: out.layerDigest ?? layerDigest,
        repositoryName,
        downloadUrl: out.downloadUrl ?? "",
        layerDigest: out.layerDigest ?? layerDigest,
        region,
    };
}

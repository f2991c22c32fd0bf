/**
 * Image manifests: `getImageManifest` through one BatchGetImage call. BatchGetImage reports a
 * missing image in `failures`, not as an exception, so this is where that becomes NotFoundError.
 */
import { createHash } from "node:crypto";
import { BatchGetImageCommand, ECRClient, ImageIdentifier } from "@aws-sdk/client-ecr";
import { assertValid, checkDigest, checkExactlyOne, checkNonEmptyList, checkRegistryId, checkTag, clientFor } from "./common";
import { EcrError, notFound, wrap } from "../../provider/errors";
import { repositoryGoneOr } from "../../provider/repository";
import { Failures } from "../../provider/validate";
import { missingImage } from "./images";

const KIND = "Image";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** What a current registry client accepts: single-platform manifests and multi-platform indexes, OCI and Docker. */
export const DEFAULT_ACCEPTED_MEDIA_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];
const INDEX_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST];

/** Arguments of `getImageManifest`. */
export interface GetImageManifestArgs {
    /** Name of the repository. */
    repositoryName: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** Select the image by tag. Exactly one of `imageTag`, `imageDigest`. */
    imageTag?: string;
    /** Select the image by digest (`sha256:<64 hex>`). Exactly one of `imageTag`, `imageDigest`. */
    imageDigest?: string;
    /** Manifest media types the caller can read; ECR converts or fails for others. @default OCI manifest and index, Docker v2 manifest and manifest list */
    acceptedMediaTypes?: string[];
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** One entry of an image index (multi-platform image). */
export interface ManifestEntry {
    /** Digest of the platform's manifest. */
    digest: string;
    /** Media type of the platform's manifest. */
    mediaType?: string;
    /** Size of the platform's manifest, in bytes. */
    size?: number;
    /** Platform the manifest is for; absent for entries such as attestations that name none. */
    platform?: { architecture: string; os: string; variant?: string; "os.version"?: string };
}

/** One layer (or the config blob) of a single-platform manifest. */
export interface ManifestBlob {
    /** `sha256:<64 hex>`: the digest of the blob. */
    digest: string;
    /** Media type of the blob, e.g. `application/vnd.oci.image.layer.v1.tar+gzip`. */
    mediaType?: string;
    /** Size of the blob, in bytes. */
    size?: number;
}

/** What `getImageManifest` returns. */
export interface GetImageManifestResult {
    /** The image digest ECR reports (as `id`). */
    id: string;
    /** Account id of the registry that holds the image. */
    registryId: string;
    /** Name of the repository that holds the image. */
    repositoryName: string;
    /** The digest ECR reports for the image. */
    imageDigest: string;
    /** The manifest exactly as ECR returned it. */
    imageManifest: string;
    /** The manifest's media type: ECR's answer, else the manifest's own `mediaType`. */
    imageManifestMediaType: string;
    /** sha256 of the manifest text; equals `imageDigest` unless ECR converted the manifest (or the endpoint fakes digests). */
    computedDigest: string;
    /** Whether `computedDigest` equals `imageDigest`. */
    digestMatches: boolean;
    /** True for an image index / manifest list (a multi-platform image). */
    isIndex: boolean;
    /** For an index: every entry, with its platform. `[]` otherwise. */
    manifests: ManifestEntry[];
    /** For an index: `"os/architecture[/variant]"` → digest of that platform's manifest. `{}` otherwise. */
    platformDigests: Record<string, string>;
    /** For a single-platform manifest: its config blob. */
    config?: ManifestBlob;
    /** For a single-platform manifest: its layers in order. `[]` for an index. */
    layers: ManifestBlob[];
    /** The region the manifest was read from. */
    region: string;
}

/** Checks `getImageManifest` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetImageManifestArgs(args: GetImageManifestArgs): void {
    const f = new Failures();
    f.repositoryName("repositoryName", args?.repositoryName);
    checkRegistryId(f, "registryId", args?.registryId);
    checkExactlyOne(f, { ...args }, ["imageTag", "imageDigest"]);
    if (args?.imageTag !== undefined) checkTag(f, "imageTag", args.imageTag);
    if (args?.imageDigest !== undefined) checkDigest(f, "imageDigest", args.imageDigest);
    if (args?.acceptedMediaTypes !== undefined && checkNonEmptyList(f, "acceptedMediaTypes", args.acceptedMediaTypes)) {
        args.acceptedMediaTypes.forEach((t, i) => {
            if (typeof t !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(t)) {
                f.add(`acceptedMediaTypes[${i}]`, `must be a media type such as "${OCI_MANIFEST}", got ${JSON.stringify(t)}`);
            }
        });
    }
    f.region("region", args?.region);
    assertValid("getImageManifest", f);
}

function ref(repositoryName: string, id: ImageIdentifier): string {
    return id.imageTag ? `${repositoryName}:${id.imageTag}` : `${repositoryName}@${id.imageDigest}`;
}

/** Failure codes that mean "there is no such image". */
const NOT_FOUND_CODES = ["ImageNotFound", "ImageTagDoesNotMatchDigest"];

/** The manifest of one image: one BatchGetImage call. */
export async function readImageManifest(args: GetImageManifestArgs, client?: ECRClient): Promise<GetImageManifestResult> {
    validateGetImageManifestArgs(args);
    const { repositoryName, registryId } = args;
    const { client: c, region } = await clientFor(args.region, client);
    const id: ImageIdentifier = args.imageTag !== undefined ? { imageTag: args.imageTag } : { imageDigest: args.imageDigest };
    const what = ref(repositoryName, id);

    const image = await wrap("reading the manifest of", KIND, what, async () => {
        let out;
        try {
            out = await c.send(
                new BatchGetImageCommand({
                    repositoryName,
                    registryId,
                    imageIds: [id],
                    acceptedMediaTypes: args.acceptedMediaTypes ?? DEFAULT_ACCEPTED_MEDIA_TYPES,
                }),
            );
        } catch (e) {
            throw repositoryGoneOr(e, repositoryName, registryId);
        }
        const failure = out.failures?.[0];
        if (failure) {
            const reason = `${failure.failureCode}: ${failure.failureReason ?? ""}`.trim();
            const cause = new Error(reason);
            if (NOT_FOUND_CODES.includes(failure.failureCode ?? "")) {
                // ECR also answers ImageNotFound when the image exists only in a media type the caller did not accept.
                const types = args.acceptedMediaTypes ? ` in the accepted media types (${args.acceptedMediaTypes.join(", ")})` : "";
                throw notFound(KIND, what, {
                    detail: `${missingImage(repositoryName, id, registryId)}${types} (ECR: ${reason})`,
                    cause,
                });
            }
            throw new EcrError("reading the manifest of", KIND, what, cause);
        }
        const img = out.images?.[0];
        if (!img?.imageManifest) throw notFound(KIND, what, { detail: "BatchGetImage returned no manifest" });
        return img;
    });

    return manifestResult(image.imageManifest!, {
        imageDigest: image.imageId?.imageDigest,
        mediaType: image.imageManifestMediaType,
        registryId: image.registryId ?? registryId ?? "",
        repositoryName: image.repositoryName ?? repositoryName,
        region,
    });
}

/** Parses a manifest (single or index) into the result shape; tolerant of fields a manifest may lack. */
export function manifestResult(
    text: string,
    meta: { imageDigest?: string; mediaType?: string; registryId: string; repositoryName: string; region: string },
): GetImageManifestResult {
    // A manifest as the registry returned it: read defensively, every field checked before use.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let doc: any = {};
    try {
        doc = JSON.parse(text);
    } catch {
        // Not JSON (should not happen for the accepted types): report the text and digests only.
    }
    const computedDigest = `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
    const imageDigest = meta.imageDigest ?? computedDigest;
    const mediaType: string = meta.mediaType || (typeof doc?.mediaType === "string" ? doc.mediaType : "");
    const isIndex = INDEX_TYPES.includes(mediaType) || (Array.isArray(doc?.manifests) && !Array.isArray(doc?.layers));
    const blob = (b: typeof doc): ManifestBlob => ({ digest: String(b?.digest ?? ""), mediaType: b?.mediaType, size: b?.size });
    const manifests: ManifestEntry[] = isIndex
        ? (doc.manifests ?? []).map((m: typeof doc) => ({
              ...blob(m),
              ...(m?.platform ? { platform: { ...m.platform } } : {}),
          }))
        : [];
    const platformDigests: Record<string, string> = {};
    for (const m of manifests) {
        const p = m.platform;
        if (!p?.os || !p.architecture || p.os === "unknown") continue; // attestation manifests say "unknown/unknown"
        const key = [p.os, p.architecture, p.variant].filter(Boolean).join("/");
        if (!(key in platformDigests)) platformDigests[key] = m.digest;
    }
    return {
        id: imageDigest,
        registryId: meta.registryId,
        repositoryName: meta.repositoryName,
        imageDigest,
        imageManifest: text,
        imageManifestMediaType: mediaType,
        computedDigest,
        digestMatches: computedDigest === imageDigest,
        isIndex,
        manifests,
        platformDigests,
        ...(!isIndex && doc?.config ? { config: blob(doc.config) } : {}),
        layers: !isIndex && Array.isArray(doc?.layers) ? doc.layers.map(blob) : [],
        region: meta.region,
    };
}

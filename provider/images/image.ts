/**
 * ECR Image: pushes an image read from disk (OCI layout, OCI archive or `docker save` tarball)
 * through the ECR API alone, no Docker. `check()` reads and verifies the source and computes the
 * digest ECR will report, so `pulumi preview` shows the exact `imageDigest`. A different digest
 * replaces the resource; tags update in place.
 */
import * as path from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    BatchDeleteImageCommand,
    DescribeImagesCommand,
    type ECRClient,
    type ImageDetail,
    type ImageIdentifier,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "../client";
import { EcrError, NotFoundError, goneOr, isA, notFound, wrap } from "../errors";
import { findRepositoryByName } from "../repository";
import { Failures, UNKNOWN, type UncheckedInputs, withoutInternals } from "../validate";
import { type PushProgress, pushBlobs, putManifest } from "./push";
import { type ImageSource, SourceError, readImageSource } from "./source";
import { progressReporter } from "./progress";
import { TAG_PATTERN, findManifest } from "./registryImages";

const KIND = "Image";
const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const MAX_TAGS = 100;

/** Inputs after `check()`: defaults filled, and the digest the source will have in ECR. */
export interface ImageInputs {
    repository: string;
    /** Absolute path of the OCI layout, OCI archive or docker tarball. */
    source: string;
    sourceRef?: string;
    tags: string[];
    platforms: string[];
    keepOnDelete: boolean;
    region: string;
    registryId?: string;
    /** sha256 of the manifest (or index) bytes, computed by check from the source. */
    imageDigest: string;
    /** `<repositoryUrl>@<imageDigest>` when check can know the repository's URL, else unknown. */
    imageUri?: string;
    /** The resource's URN (from the SDK class), so push progress shows on its line. Not compared by diff. */
    __urn?: string;
}

/** What the resource reports. */
export interface ImageOutputs extends ImageInputs {
    imageUri: string;
    /** The repository's URL as ECR reports it. */
    repositoryUrl: string;
    registryId: string;
    /** Media type of the manifest or index. */
    imageManifestMediaType: string;
    /** For an index: the manifests pushed with it, by digest. */
    manifestDigests: string[];
    bytesUploaded: number;
    layersUploaded: number;
    layersSkipped: number;
}

const isUnknown = (v: unknown) => v === UNKNOWN;
const imageId = (o: { repository: string; imageDigest: string }) => `${o.repository}@${o.imageDigest}`;

/** The URL ECR gives a repository on its public endpoints; only used when no endpoint override is set. */
function standardRepositoryUrl(registryId: string | undefined, region: string, repository: string): string | undefined {
    if (!registryId || !region || process.env.AWS_ENDPOINT_URL_ECR || process.env.AWS_ENDPOINT_URL) return undefined;
    const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return `${registryId}.dkr.ecr.${region}.${suffix}/${repository}`;
}

// ---------- check ----------

/**
 * Validates the inputs, then reads and verifies the source and computes its digest. Every problem
 * with the source is reported here, before any AWS call, naming the file and the problem.
 */
export async function check(olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    f.repositoryName("repository", n.repository);
    if (n.registryId !== undefined && !isUnknown(n.registryId) && !/^[0-9]{12}$/.test(String(n.registryId))) {
        f.add("registryId", `must be a 12-digit AWS account id, got ${JSON.stringify(n.registryId)}`);
    }
    const tags: unknown = n.tags ?? [];
    if (!isUnknown(tags)) {
        if (!Array.isArray(tags)) f.add("tags", "must be a list of tag strings");
        else {
            if (tags.length > MAX_TAGS) f.add("tags", `at most ${MAX_TAGS} tags, got ${tags.length}`);
            tags.forEach((t, i) => {
                if (!isUnknown(t) && (typeof t !== "string" || !TAG_PATTERN.test(t))) {
                    f.add(
                        `tags[${i}]`,
                        `${JSON.stringify(t)} is not a valid image tag: 1-128 letters, digits, _ . -, not starting with . or -`,
                    );
                }
            });
            const dup = tags.find((t, i) => tags.indexOf(t) !== i);
            if (dup !== undefined) f.add("tags", `tag ${JSON.stringify(dup)} is listed twice`);
        }
    }
    const platforms: unknown = n.platforms ?? [];
    if (!isUnknown(platforms)) {
        if (!Array.isArray(platforms)) f.add("platforms", 'must be a list such as ["linux/amd64", "linux/arm64"]');
        else
            platforms.forEach((p, i) => {
                if (!isUnknown(p) && (typeof p !== "string" || !PLATFORM_PATTERN.test(p))) {
                    f.add(`platforms[${i}]`, `${JSON.stringify(p)} is not a platform: write os/architecture[/variant], e.g. "linux/arm64"`);
                }
            });
    }
    f.bool("keepOnDelete", n.keepOnDelete);
    if (n.sourceRef !== undefined && !isUnknown(n.sourceRef) && (typeof n.sourceRef !== "string" || n.sourceRef === "")) {
        f.add("sourceRef", "must be a non-empty string: a ref name in the OCI layout, or repo:tag in a docker archive");
    }
    const source = n.source;
    if (!isUnknown(source) && (typeof source !== "string" || source === "")) {
        f.add("source", "must be the path of an OCI image layout directory, an OCI archive (.tar) or a `docker save` tarball");
    } else if (typeof source === "string" && !path.isAbsolute(source)) {
        f.add(
            "source",
            `must be an absolute path, got ${JSON.stringify(source)} (the Image class resolves relative paths against the program's directory)`,
        );
    }
    const region = await f.regionOrDefault("region", n.region);

    const inputs: ImageInputs = {
        repository: n.repository,
        source,
        tags: Array.isArray(tags) ? [...tags] : (tags as string[]),
        platforms: Array.isArray(platforms)
            ? [...platforms].map((p) => (typeof p === "string" ? p.toLowerCase() : p))
            : (platforms as string[]),
        keepOnDelete: n.keepOnDelete ?? false,
        region,
        imageDigest: UNKNOWN,
    };
    if (n.sourceRef !== undefined) inputs.sourceRef = n.sourceRef;
    if (typeof news.__urn === "string") inputs.__urn = news.__urn;
    if (n.registryId !== undefined) inputs.registryId = n.registryId;
    if (f.list.length > 0) return { inputs, failures: f.list };

    // The digest: only when everything it depends on is known (in preview, an unknown path stays unknown).
    const known = [source, n.sourceRef, inputs.platforms].every((v) => !isUnknown(v)) && inputs.platforms.every((p) => !isUnknown(p));
    if (known) {
        try {
            const img = await readImageSource(source, { sourceRef: n.sourceRef, platforms: inputs.platforms });
            inputs.imageDigest = img.digest;
        } catch (e) {
            if (!(e instanceof SourceError)) throw e;
            f.add(
                inputs.sourceRef !== undefined && /no image (named|tagged)/.test(e.message)
                    ? "sourceRef"
                    : /platforms/.test(e.message)
                      ? "platforms"
                      : "source",
                e.message,
            );
            return { inputs, failures: f.list };
        }
    }
    // The URI, when the repository's URL is already known: from state, or ECR's standard endpoint.
    if (!isUnknown(inputs.imageDigest) && !isUnknown(inputs.repository)) {
        const sameRepo =
            olds?.repositoryUrl &&
            olds.repository === inputs.repository &&
            olds.region === inputs.region &&
            (inputs.registryId === undefined || olds.registryId === inputs.registryId);
        const url = sameRepo
            ? olds.repositoryUrl
            : isUnknown(inputs.registryId)
              ? undefined
              : standardRepositoryUrl(inputs.registryId, region, inputs.repository);
        if (url) inputs.imageUri = `${url}@${inputs.imageDigest}`;
    }
    return { inputs, failures: f.list };
}

// ---------- diff ----------

export async function diff(_id: string, olds: ImageOutputs, news: ImageInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    // An unknown digest (preview with an unknown source) may well be another image: say so.
    if (olds.imageDigest !== news.imageDigest) replaces.push("imageDigest");
    if (olds.repository !== news.repository) replaces.push("repository");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    if (news.registryId !== undefined && olds.registryId !== news.registryId) replaces.push("registryId");
    const sameList = (a: string[] | undefined, b: string[] | undefined) =>
        JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
    const updates = [
        !sameList(olds.tags, news.tags),
        olds.source !== news.source,
        (olds.sourceRef ?? null) !== (news.sourceRef ?? null),
        !sameList(olds.platforms, news.platforms),
        (olds.keepOnDelete ?? false) !== news.keepOnDelete,
    ].some(Boolean);
    return { changes: replaces.length > 0 || updates, replaces, deleteBeforeReplace: false };
}

// ---------- finders ----------

/** The image with this digest, or NotFoundError. The only place that turns ECR's "not found" into "gone". */
export async function findImageByDigest(client: ECRClient, repository: string, digest: string, registryId?: string): Promise<ImageDetail> {
    const id = `${repository}@${digest}`;
    try {
        const out = await client.send(
            new DescribeImagesCommand({ repositoryName: repository, registryId, imageIds: [{ imageDigest: digest }] }),
        );
        const detail = out.imageDetails?.find((d) => d.imageDigest === digest);
        if (!detail) throw notFound(KIND, id, { registryId });
        return detail;
    } catch (e) {
        throw goneOr(e, ["ImageNotFoundException", "RepositoryNotFoundException"], KIND, id, { registryId });
    }
}

// ---------- create / read / update / delete ----------

/** Pushes blobs, then the members of an index by digest, then the top manifest with each tag. */
async function push(
    client: ECRClient,
    target: { repositoryName: string; registryId?: string },
    img: ImageSource,
    tags: string[],
    label: string,
    urn?: string,
) {
    const report = progressReporter(label, urn);
    const result = await pushBlobs(client, target, img.blobs, { onProgress: (p: PushProgress) => report(p) });
    report(undefined);
    for (const child of img.children) await putManifest(client, target, child.bytes, child.mediaType, { digest: child.digest });
    if (tags.length === 0) await putManifest(client, target, img.manifest, img.mediaType, { digest: img.digest });
    for (const tag of tags) await putManifest(client, target, img.manifest, img.mediaType, { tag });
    return result;
}

export async function create(inputs: ImageInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const id = `${inputs.repository}@${inputs.imageDigest}`;
    const repo = await wrap("creating", KIND, id, () => findRepositoryByName(client, inputs.repository, inputs.registryId)).catch((e) => {
        if (e instanceof NotFoundError) {
            throw new EcrError(
                "creating",
                KIND,
                id,
                e,
                `create the repository first (e.g. \`new ecr.Repository\`) and pass its \`name\` as \`repository\``,
            );
        }
        throw e;
    });
    let img: ImageSource;
    try {
        img = await readImageSource(inputs.source, { sourceRef: inputs.sourceRef, platforms: inputs.platforms });
    } catch (e) {
        throw new EcrError("creating", KIND, id, e);
    }
    if (img.digest !== inputs.imageDigest) {
        throw new EcrError(
            "creating",
            KIND,
            id,
            new Error(`the source now has digest ${img.digest}`),
            "the source changed since it was checked; run `pulumi up` again",
        );
    }
    const target = { repositoryName: inputs.repository, registryId: repo.registryId };
    const result = await push(client, target, img, inputs.tags, `${inputs.repository}@${img.digest.slice(7, 19)}`, inputs.__urn);
    const outs: ImageOutputs = {
        ...inputs,
        registryId: repo.registryId ?? inputs.registryId ?? "",
        repositoryUrl: repo.repositoryUri ?? "",
        imageUri: `${repo.repositoryUri}@${img.digest}`,
        imageManifestMediaType: img.mediaType,
        manifestDigests: img.children.map((c) => c.digest),
        bytesUploaded: result.bytesUploaded,
        layersUploaded: result.layersUploaded,
        layersSkipped: result.layersSkipped,
    };
    return { id: imageId(inputs), outs };
}

/** Refresh: the image is gone when its digest is; the resource's tags are those still on it. */
export async function read(id: string, props: Partial<ImageOutputs>): Promise<dynamic.ReadResult> {
    const at = id.lastIndexOf("@");
    const repository = props.repository || id.slice(0, at);
    const digest = props.imageDigest || id.slice(at + 1);
    const region = await resolveRegion(props.region);
    const client = ecrClient(region);
    let detail: ImageDetail;
    try {
        detail = await wrap("reading", KIND, `${repository}@${digest}`, () =>
            findImageByDigest(client, repository, digest, props.registryId || undefined),
        );
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const onImage = new Set(detail.imageTags ?? []);
    const tags = props.tags ? props.tags.filter((t) => onImage.has(t)) : [...onImage].sort();
    return { id, props: { ...props, repository, imageDigest: digest, region, tags, registryId: detail.registryId ?? props.registryId } };
}

export async function update(id: string, olds: ImageOutputs, news: ImageInputs): Promise<dynamic.UpdateResult> {
    const client = ecrClient(news.region);
    const target = { repositoryName: olds.repository, registryId: olds.registryId || undefined };
    const oldTags = olds.tags ?? [];
    const added = news.tags.filter((t) => !oldTags.includes(t));
    const dropped = oldTags.filter((t) => !news.tags.includes(t));
    const outs: ImageOutputs = {
        ...olds,
        source: news.source,
        sourceRef: news.sourceRef,
        platforms: news.platforms,
        keepOnDelete: news.keepOnDelete,
        bytesUploaded: 0,
        layersUploaded: 0,
    };
    if (news.sourceRef === undefined) delete outs.sourceRef;
    if (added.length > 0 || dropped.length > 0) {
        const stored = await wrap("updating tags of", KIND, id, () =>
            findManifest(client, olds.repository, { imageDigest: olds.imageDigest }, target.registryId),
        ).catch((e) => {
            if (!(e instanceof NotFoundError)) throw e;
            throw new EcrError(
                "updating tags of",
                KIND,
                id,
                e,
                "the image was deleted outside Pulumi; run `pulumi refresh`, and the next `pulumi up` pushes it again",
            );
        });
        const manifest = Buffer.from(stored.manifest, "utf8");
        for (const tag of added) await putManifest(client, target, manifest, stored.mediaType, { tag });
        if (dropped.length > 0) {
            await deleteTags(client, olds, dropped);
            // ECR deletes an image with its last tag; the resource keeps its image, untagged if need be.
            await putManifest(client, target, manifest, stored.mediaType, { digest: olds.imageDigest });
        }
        outs.tags = [...news.tags];
    }
    return { outs };
}

/** Removes `tags` from the image, only where they still point at it (a tag moved elsewhere is not ours). */
async function deleteTags(client: ECRClient, o: ImageOutputs, tags: string[]): Promise<void> {
    for (let i = 0; i < tags.length; i += 100) {
        const ids: ImageIdentifier[] = tags.slice(i, i + 100).map((t) => ({ imageTag: t, imageDigest: o.imageDigest }));
        const out = await wrap("removing tags from", KIND, imageId(o), () =>
            client.send(
                new BatchDeleteImageCommand({ repositoryName: o.repository, registryId: o.registryId || undefined, imageIds: ids }),
            ),
        );
        const bad = (out.failures ?? []).filter((f) => !["ImageNotFound", "ImageTagDoesNotMatchDigest"].includes(f.failureCode ?? ""));
        if (bad.length) {
            throw new EcrError(
                "removing tags from",
                KIND,
                imageId(o),
                new Error(bad.map((f) => `${f.imageId?.imageTag}: ${f.failureCode} ${f.failureReason}`).join("; ")),
            );
        }
    }
}

/** Deletes the image by digest unless a tag (not ours) or an index still holds it. */
async function deleteIfUnreferenced(client: ECRClient, o: ImageOutputs, digest: string): Promise<void> {
    let detail: ImageDetail;
    try {
        detail = await findImageByDigest(client, o.repository, digest, o.registryId || undefined);
    } catch (e) {
        if (e instanceof NotFoundError) return;
        throw new EcrError("deleting", KIND, `${o.repository}@${digest}`, e);
    }
    if ((detail.imageTags ?? []).length > 0) return; // another tag points at it: keep it
    const out = await wrap("deleting", KIND, `${o.repository}@${digest}`, () =>
        client.send(
            new BatchDeleteImageCommand({
                repositoryName: o.repository,
                registryId: o.registryId || undefined,
                imageIds: [{ imageDigest: digest }],
            }),
        ),
    );
    const bad = (out.failures ?? []).filter((f) => !["ImageNotFound", "ImageReferencedByManifestList"].includes(f.failureCode ?? ""));
    if (bad.length)
        throw new EcrError(
            "deleting",
            KIND,
            `${o.repository}@${digest}`,
            new Error(bad.map((f) => `${f.failureCode} ${f.failureReason}`).join("; ")),
        );
}

export async function remove(id: string, props: ImageOutputs): Promise<void> {
    if (props.keepOnDelete) return;
    const client = ecrClient(props.region);
    try {
        if ((props.tags ?? []).length > 0) await deleteTags(client, props, props.tags);
        await deleteIfUnreferenced(client, props, props.imageDigest);
        for (const child of props.manifestDigests ?? []) await deleteIfUnreferenced(client, props, child);
    } catch (e) {
        if (isA(e, "RepositoryNotFoundException") || isA((e as { cause?: unknown }).cause, "RepositoryNotFoundException")) return;
        throw e instanceof EcrError ? e : new EcrError("deleting", KIND, id, e);
    }
}

// This module's exports are the dynamic provider for `Image`.
export { remove as delete };
export { configure } from "../client";

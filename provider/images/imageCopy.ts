/**
 * ECR Image Copy: copies an image from one repository to another, possibly in another region or
 * account, through the ECR API alone. Manifests come from BatchGetImage (every media type
 * accepted, so bytes and digest are kept); each layer streams from the source's
 * GetDownloadUrlForLayer URL straight into the destination's upload calls (push.ts), never touching
 * disk; layers the destination already holds are skipped. An index is copied whole, or narrowed
 * to `platforms` (see narrowIndex for how the narrowed index is made deterministic).
 */
import { canonicalJson } from "../policyDocument";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { BatchDeleteImageCommand, type ECRClient, GetDownloadUrlForLayerCommand, type ImageIdentifier } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "../client";
import { EcrError, NotFoundError, wrap } from "../errors";
import { Failures, UNKNOWN, type UncheckedInputs, withoutInternals } from "../validate";
import { progressReporter } from "./progress";
import { type BlobSource, pushBlobs, putManifest } from "./push";
import {
    type ManifestBlob,
    type StoredManifest,
    checkDigest,
    checkOneOf,
    checkPlatforms,
    checkRegistryId,
    checkTag,
    findImageTags,
    findManifest,
    imageRef,
    narrowIndex,
    parseManifest,
    removeTagsAndOrphans,
    repositoryLocation,
    sha256,
} from "./registryImages";

const KIND = "Image Copy";

/** Where the image comes from. */
export interface CopySource {
    repository: string;
    imageTag?: string;
    imageDigest?: string;
    registryId?: string;
    region: string;
}

/** Where it goes. */
export interface CopyDestination {
    repository: string;
    tags: string[];
    registryId?: string;
    region: string;
}

/** Inputs after `check()`. */
export interface ImageCopyInputs {
    source: CopySource;
    destination: CopyDestination;
    /** Sorted, de-duplicated; absent means every platform. */
    platforms?: string[];
    /** The resource's URN (from the SDK class), so copy progress shows on its line. Not compared by diff. */
    __urn?: string;
}

/** What the resource reports. */
export interface ImageCopyOutputs extends ImageCopyInputs {
    /** Digest of the source image that was copied. */
    sourceDigest: string;
    /** Digest in the destination: the source's, or the narrowed index's when `platforms` narrowed an index. */
    imageDigest: string;
    /** `<destination repositoryUrl>@<imageDigest>`. */
    imageUri: string;
    /** The destination tags that point at the image. */
    tags: string[];
    /** Layer bytes uploaded to the destination by the last copy (0 when it held them all). */
    bytesCopied: number;
    /** Layers (and config blobs) uploaded by the last copy. */
    layersCopied: number;
    /** Layers the destination already held. */
    layersSkipped: number;
}

const idOf = (i: ImageCopyInputs) => `${i.destination.repository}@${i.destination.region}`;
const sourceIdOf = (s: CopySource): ImageIdentifier => (s.imageDigest ? { imageDigest: s.imageDigest } : { imageTag: s.imageTag });
const isSet = (v: unknown) => v !== undefined && v !== null;

// ---------- check ----------

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    const src = n.source === UNKNOWN ? UNKNOWN : (n.source ?? {});
    const dst = n.destination === UNKNOWN ? UNKNOWN : (n.destination ?? {});
    if (!n.source)
        f.add("source", 'is required: { repository, imageTag or imageDigest, region? }, e.g. { repository: "app", imageTag: "1.4.2" }');
    if (!n.destination)
        f.add("destination", 'is required: { repository, tags?, region? }, e.g. { repository: "app-mirror", tags: ["1.4.2"] }');

    let source: UncheckedInputs | typeof UNKNOWN = src;
    if (src !== UNKNOWN && n.source) {
        if (!isSet(src.repository) || src.repository === "")
            f.add("source.repository", "is required: the name of the repository to copy from");
        else f.repositoryName("source.repository", src.repository);
        checkOneOf(f, "source.", src, "imageTag", "imageDigest");
        if (isSet(src.imageTag)) checkTag(f, "source.imageTag", src.imageTag);
        if (isSet(src.imageDigest)) checkDigest(f, "source.imageDigest", src.imageDigest);
        checkRegistryId(f, "source.registryId", src.registryId);
        source = { repository: src.repository, region: await f.regionOrDefault("source.region", src.region) };
        if (isSet(src.imageTag)) source.imageTag = src.imageTag;
        if (isSet(src.imageDigest)) source.imageDigest = src.imageDigest;
        if (isSet(src.registryId)) source.registryId = src.registryId;
    }

    let destination: UncheckedInputs | typeof UNKNOWN = dst;
    if (dst !== UNKNOWN && n.destination) {
        if (!isSet(dst.repository) || dst.repository === "")
            f.add("destination.repository", "is required: the name of the repository to copy into");
        else f.repositoryName("destination.repository", dst.repository);
        let tags: unknown = dst.tags;
        if (tags === undefined || tags === null) {
            // Default: the source's tag, so a copy by tag lands under the same name; a copy by digest stays untagged.
            tags = src !== UNKNOWN && isSet(src.imageTag) ? [src.imageTag] : [];
        } else if (tags !== UNKNOWN) {
            if (!Array.isArray(tags)) {
                f.add("destination.tags", `must be a list of tags, e.g. ["1.4.2"], got ${JSON.stringify(tags)}`);
                tags = [];
            } else {
                tags.forEach((t: unknown, i: number) => checkTag(f, `destination.tags[${i}]`, t));
                tags = [...new Set(tags)];
            }
        }
        checkRegistryId(f, "destination.registryId", dst.registryId);
        destination = { repository: dst.repository, tags, region: await f.regionOrDefault("destination.region", dst.region) };
        if (isSet(dst.registryId)) destination.registryId = dst.registryId;
    }
    if (
        source !== UNKNOWN &&
        destination !== UNKNOWN &&
        source.repository !== UNKNOWN &&
        source.repository === destination.repository &&
        source.region === destination.region &&
        (source.registryId ?? "") === (destination.registryId ?? "") &&
        source.repository !== undefined
    ) {
        f.add(
            "destination.repository",
            "is the source repository itself: to put another tag on an image in the same repository, use `ImageTag`",
        );
    }

    // During preview an unknown source or destination passes through as the engine's marker.
    const inputs: ImageCopyInputs = { source: source as CopySource, destination: destination as CopyDestination };
    const platforms = checkPlatforms(f, "platforms", n.platforms);
    if (platforms !== undefined) inputs.platforms = platforms as string[];
    if (typeof news.__urn === "string") inputs.__urn = news.__urn;
    return { inputs, failures: f.list };
}

// ---------- diff ----------

/** Key order does not matter: state comes back from the engine with its keys sorted. */
const sameJson = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** The digest the source names now (for a source tag: ECR's answer), or undefined when not knowable yet. */
async function currentSourceDigest(s: CopySource): Promise<string | undefined> {
    if (s.imageDigest) return s.imageDigest === UNKNOWN ? undefined : s.imageDigest;
    if (!s.imageTag || s.imageTag === UNKNOWN || s.repository === UNKNOWN) return undefined;
    try {
        return (await findManifest(ecrClient(s.region), s.repository, { imageTag: s.imageTag }, s.registryId)).digest;
    } catch {
        return undefined;
    }
}

/**
 * Only the destination's location replaces (another repository, region or account is another
 * object). A new source or platform set updates in place: the new image is copied, the tags move
 * to it, and the old image goes if nothing else points at it. A source tag that now names another
 * image is a change too, so the copy follows its source.
 */
export async function diff(_id: string, olds: ImageCopyOutputs, news: ImageCopyInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    const od = olds.destination;
    const nd = news.destination as CopyDestination | typeof UNKNOWN;
    if (nd === UNKNOWN) return { changes: true, replaces: ["destination"] };
    if (od.repository !== nd.repository) replaces.push("destination.repository");
    if (od.region !== nd.region) replaces.push("destination.region");
    if ((od.registryId ?? "") !== (nd.registryId ?? "")) replaces.push("destination.registryId");
    let changes =
        replaces.length > 0 ||
        !sameJson(olds.source, news.source) ||
        !sameJson(olds.platforms, news.platforms) ||
        !sameJson(olds.tags, nd.tags);
    if (!changes) {
        const now = await currentSourceDigest(news.source);
        if (now !== undefined && now !== olds.sourceDigest) changes = true;
    }
    return { changes, replaces, deleteBeforeReplace: false };
}

// ---------- the copy ----------

/** A layer read from the source registry: GetDownloadUrlForLayer, then the URL's body as a stream. */
function remoteBlob(client: ECRClient, source: CopySource, b: ManifestBlob): BlobSource {
    return {
        digest: b.digest,
        size: b.size,
        mediaType: b.mediaType,
        async open() {
            const out = await client.send(
                new GetDownloadUrlForLayerCommand({
                    repositoryName: source.repository,
                    registryId: source.registryId,
                    layerDigest: b.digest,
                }),
            );
            const res = await fetch(out.downloadUrl!);
            if (!res.ok || !res.body) {
                throw new Error(`downloading layer ${b.digest} from ${source.repository} answered HTTP ${res.status}`);
            }
            return Readable.fromWeb(res.body as WebReadableStream);
        },
    };
}

/** What was copied: the top manifest to tag, and the counts. */
interface Copied {
    sourceDigest: string;
    top: StoredManifest;
    bytesCopied: number;
    layersCopied: number;
    layersSkipped: number;
}

/**
 * Copies the image: every blob the destination lacks, then the platform manifests by digest, then
 * the top manifest untagged. Tags come last (the caller), so an interrupted copy never leaves a tag
 * on a partial image.
 */
async function copyImage(action: string, inputs: ImageCopyInputs): Promise<Copied> {
    const { source, destination } = inputs;
    const id = idOf(inputs);
    const src = ecrClient(source.region);
    const dst = ecrClient(destination.region);
    const srcRef = imageRef(source.repository, sourceIdOf(source), source.registryId);
    const read = async (imageId: ImageIdentifier) => {
        try {
            return await findManifest(src, source.repository, imageId, source.registryId);
        } catch (e) {
            const hint = e instanceof NotFoundError ? "push the source image first, or fix `source`" : undefined;
            throw new EcrError(action, KIND, id, e, hint); // the cause names the source image
        }
    };
    const original = await read(sourceIdOf(source));
    const parsed = parseManifest(original);
    let top = original;
    const children: StoredManifest[] = [];
    if (parsed.isIndex) {
        let entries = parsed.entries;
        if (inputs.platforms) {
            let narrowed;
            try {
                narrowed = narrowIndex(parsed.doc, inputs.platforms, srcRef);
            } catch (e) {
                throw new EcrError(
                    action,
                    KIND,
                    id,
                    e,
                    "set `platforms` to platforms the source index has, or leave it out to copy every platform",
                );
            }
            entries = narrowed.entries;
            top = { digest: sha256(narrowed.manifest), manifest: narrowed.manifest, mediaType: original.mediaType };
        }
        for (const e of entries) children.push(await read({ imageDigest: e.digest }));
    } else if (inputs.platforms) {
        throw new EcrError(
            action,
            KIND,
            id,
            new Error(`${srcRef} is a single-platform manifest (${original.mediaType}), not an index`),
            "`platforms` narrows a multi-platform index; leave it out for this image",
        );
    }
    const blobs = (parsed.isIndex ? children.flatMap((c) => parseManifest(c).blobs) : parsed.blobs).map((b) => remoteBlob(src, source, b));
    const target = { repositoryName: destination.repository, registryId: destination.registryId };
    // Progress shows on the resource's line of `pulumi up` (see progress.ts), as for Image.
    const report = progressReporter(`copy of ${srcRef} into ${destination.repository}`, inputs.__urn);
    const result = await wrap(action, KIND, id, () => pushBlobs(dst, target, blobs, { onProgress: report }));
    report(undefined);
    for (const c of children) {
        await wrap(action, KIND, id, () => putManifest(dst, target, Buffer.from(c.manifest, "utf8"), c.mediaType, { digest: c.digest }));
    }
    await wrap(action, KIND, id, () => putManifest(dst, target, Buffer.from(top.manifest, "utf8"), top.mediaType, { digest: top.digest }));
    return {
        sourceDigest: original.digest,
        top,
        bytesCopied: result.bytesUploaded,
        layersCopied: result.layersUploaded,
        layersSkipped: result.layersSkipped,
    };
}

/** Puts `tags` on the copied manifest (PutImage per tag; the same image already so tagged is success). */
async function putTags(action: string, inputs: ImageCopyInputs, top: StoredManifest, tags: string[]): Promise<void> {
    const dst = ecrClient(inputs.destination.region);
    const target = { repositoryName: inputs.destination.repository, registryId: inputs.destination.registryId };
    for (const tag of tags) {
        await wrap(action, KIND, idOf(inputs), () => putManifest(dst, target, Buffer.from(top.manifest, "utf8"), top.mediaType, { tag }));
    }
}

async function outputsOf(
    inputs: ImageCopyInputs,
    copied: Copied,
    counts?: Pick<ImageCopyOutputs, "bytesCopied" | "layersCopied" | "layersSkipped">,
) {
    const dst = ecrClient(inputs.destination.region);
    const where = await wrap("reading", KIND, idOf(inputs), () =>
        repositoryLocation(dst, inputs.destination.repository, inputs.destination.registryId),
    );
    const outs: ImageCopyOutputs = {
        ...inputs,
        sourceDigest: copied.sourceDigest,
        imageDigest: copied.top.digest,
        imageUri: `${where.repositoryUrl}@${copied.top.digest}`,
        tags: [...inputs.destination.tags],
        ...(counts ?? { bytesCopied: copied.bytesCopied, layersCopied: copied.layersCopied, layersSkipped: copied.layersSkipped }),
    };
    return outs;
}

export async function create(inputs: ImageCopyInputs): Promise<dynamic.CreateResult> {
    const copied = await copyImage("creating", inputs);
    await putTags("creating", inputs, copied.top, inputs.destination.tags);
    return { id: idOf(inputs), outs: await outputsOf(inputs, copied) };
}

/**
 * Another source or platform set: copy it, move every tag to it, then remove the old image if
 * nothing else points at it. Only the tags changed: PutImage for new ones, BatchDeleteImage for
 * dropped ones, and the copy is not repeated (the counts of the last copy stay).
 */
export async function update(_id: string, olds: ImageCopyOutputs, news: ImageCopyInputs): Promise<dynamic.UpdateResult> {
    const dst = ecrClient(news.destination.region);
    const target = { repositoryName: news.destination.repository, registryId: news.destination.registryId };
    const sameImage =
        sameJson(olds.source, news.source) &&
        sameJson(olds.platforms, news.platforms) &&
        (await currentSourceDigest(news.source)) === olds.sourceDigest;
    let copied: Copied;
    let counts: Pick<ImageCopyOutputs, "bytesCopied" | "layersCopied" | "layersSkipped"> | undefined;
    if (sameImage) {
        let top: StoredManifest | undefined;
        try {
            top = await findManifest(dst, target.repositoryName, { imageDigest: olds.imageDigest }, target.registryId);
        } catch (e) {
            if (!(e instanceof NotFoundError)) throw new EcrError("updating", KIND, idOf(news), e);
        }
        if (top) {
            copied = { sourceDigest: olds.sourceDigest, top, bytesCopied: 0, layersCopied: 0, layersSkipped: 0 };
            counts = { bytesCopied: olds.bytesCopied, layersCopied: olds.layersCopied, layersSkipped: olds.layersSkipped };
        } else {
            copied = await copyImage("updating", news); // deleted out of band: copy again
        }
    } else {
        copied = await copyImage("updating", news);
    }
    await putTags("updating", news, copied.top, news.destination.tags);
    const dropped = (olds.tags ?? []).filter((t) => !news.destination.tags.includes(t));
    if (copied.top.digest !== olds.imageDigest) {
        // Every old tag has moved (or is dropped): the old image goes unless something else points at it.
        await removeTagsAndOrphans(dst, target, olds.imageDigest, dropped, { kind: KIND, id: idOf(news) });
    } else if (dropped.length) {
        await removeDroppedTags(dst, target, olds.imageDigest, dropped, idOf(news));
    }
    return { outs: await outputsOf(news, copied, counts) };
}

/** Drops tags that still point at `digest`, leaving the image (it keeps the resource's other tags). */
async function removeDroppedTags(
    client: ECRClient,
    target: { repositoryName: string; registryId?: string },
    digest: string,
    tags: string[],
    id: string,
) {
    let current: string[];
    try {
        current = await findImageTags(client, target.repositoryName, digest, target.registryId);
    } catch (e) {
        if (e instanceof NotFoundError) return;
        throw new EcrError("updating", KIND, id, e);
    }
    const ours = tags.filter((t) => current.includes(t));
    if (!ours.length) return;
    await wrap("removing tags of", KIND, id, async () => {
        const out = await client.send(new BatchDeleteImageCommand({ ...target, imageIds: ours.map((imageTag) => ({ imageTag })) }));
        const failure = out.failures?.find((x) => x.failureCode !== "ImageNotFound");
        if (failure) throw new Error(`${failure.failureCode}: ${failure.failureReason ?? ""}`);
    });
}

/** Sees the copied image deleted (gone) and tags moved or deleted out of band (dropped from `tags`). */
export async function read(id: string, props: Partial<ImageCopyOutputs>): Promise<dynamic.ReadResult> {
    if (!props.destination || !props.imageDigest) return { id: "" };
    const region = await resolveRegion(props.destination.region);
    const client = ecrClient(region);
    let current: string[];
    try {
        current = await wrap("reading", KIND, id, () =>
            findImageTags(client, props.destination!.repository, props.imageDigest!, props.destination!.registryId),
        );
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const tags = (props.tags ?? []).filter((t) => current.includes(t));
    return { id, props: { ...props, tags } };
}

async function remove(id: string, props: ImageCopyOutputs): Promise<void> {
    const client = ecrClient(props.destination.region);
    await removeTagsAndOrphans(
        client,
        { repositoryName: props.destination.repository, registryId: props.destination.registryId },
        props.imageDigest,
        props.tags ?? [],
        { kind: KIND, id },
    );
}

// This module's exports are the dynamic provider for `ImageCopy` (see provider/index.ts).
export { remove as delete };
export { configure } from "../client";

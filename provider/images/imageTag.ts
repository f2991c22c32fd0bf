/**
 * ECR Image Tag: points a tag at an image already in the repository, moving no bytes.
 * BatchGetImage reads the source's manifest (every manifest media type accepted, so ECR never
 * converts it), and PutImage puts the same bytes with the same media type under the new tag: the
 * digest cannot change. Delete removes only this tag, never the image.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { BatchDeleteImageCommand, type ECRClient, type ImageIdentifier, PutImageCommand } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "../client";
import { EcrError, NotFoundError, isA, wrap } from "../errors";
import { Failures, UNKNOWN, type UncheckedInputs, withoutInternals } from "../validate";
import {
    type StoredManifest,
    checkDigest,
    checkOneOf,
    checkRegistryId,
    checkTag,
    findImageTags,
    findManifest,
    repositoryLocation,
} from "./registryImages";

const KIND = "Image Tag";

/** Inputs after `check()`. */
export interface ImageTagInputs {
    repository: string;
    /** The tag of the image to point at (exactly one of sourceTag, sourceDigest). */
    sourceTag?: string;
    /** The digest of the image to point at. */
    sourceDigest?: string;
    /** The tag this resource owns. */
    tag: string;
    registryId?: string;
    region: string;
}

/** What the resource reports. */
export interface ImageTagOutputs extends ImageTagInputs {
    /** Digest of the image the tag points at. */
    imageDigest: string;
    /** `<repositoryUrl>@<imageDigest>`. */
    imageUri: string;
}

const idOf = (i: { repository: string; tag: string }) => `${i.repository}:${i.tag}`;
const sourceId = (i: ImageTagInputs): ImageIdentifier => (i.sourceDigest ? { imageDigest: i.sourceDigest } : { imageTag: i.sourceTag });

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    if (n.repository === undefined || n.repository === null || n.repository === "") {
        f.add("repository", "is required: give the name of the repository, e.g. `repository: repo.name`");
    } else {
        f.repositoryName("repository", n.repository);
    }
    checkOneOf(f, "", n, "sourceTag", "sourceDigest");
    if (n.sourceTag !== undefined && n.sourceTag !== null) checkTag(f, "sourceTag", n.sourceTag);
    if (n.sourceDigest !== undefined && n.sourceDigest !== null) checkDigest(f, "sourceDigest", n.sourceDigest);
    if (n.tag === undefined || n.tag === null || n.tag === "")
        f.add("tag", 'is required: the tag to point at the image, e.g. `tag: "prod"`');
    else checkTag(f, "tag", n.tag);
    if (n.sourceTag !== undefined && n.sourceTag !== UNKNOWN && n.sourceTag === n.tag) {
        f.add("tag", `is the same as \`sourceTag\` ("${n.tag}"): a tag cannot be copied onto itself; pick another \`tag\``);
    }
    checkRegistryId(f, "registryId", n.registryId);
    const region = await f.regionOrDefault("region", n.region);
    const inputs: ImageTagInputs = { repository: n.repository, tag: n.tag, region };
    if (n.sourceTag !== undefined && n.sourceTag !== null) inputs.sourceTag = n.sourceTag;
    if (n.sourceDigest !== undefined && n.sourceDigest !== null) inputs.sourceDigest = n.sourceDigest;
    if (n.registryId !== undefined && n.registryId !== null) inputs.registryId = n.registryId;
    return { inputs, failures: f.list };
}

/**
 * Which digest the source names now: the digest itself, or (for `sourceTag`) ECR's answer. The tag
 * follows its source: when `1.4.2` is re-pushed, the next `up` moves `prod` with it. Undefined when
 * it cannot be known yet (unknown inputs in preview, or the source is missing: create says why).
 */
async function currentSourceDigest(inputs: ImageTagInputs): Promise<string | undefined> {
    if (inputs.sourceDigest) return inputs.sourceDigest === UNKNOWN ? undefined : inputs.sourceDigest;
    if (!inputs.sourceTag || inputs.sourceTag === UNKNOWN || inputs.repository === UNKNOWN) return undefined;
    try {
        const m = await findManifest(ecrClient(inputs.region), inputs.repository, { imageTag: inputs.sourceTag }, inputs.registryId);
        return m.digest;
    } catch {
        return undefined;
    }
}

export async function diff(_id: string, olds: ImageTagOutputs, news: ImageTagInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.repository !== news.repository) replaces.push("repository");
    if (olds.tag !== news.tag) replaces.push("tag");
    if ((olds.registryId ?? "") !== (news.registryId ?? "")) replaces.push("registryId");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    const updates: string[] = [];
    if ((olds.sourceTag ?? "") !== (news.sourceTag ?? "")) updates.push("sourceTag");
    if ((olds.sourceDigest ?? "") !== (news.sourceDigest ?? "")) updates.push("sourceDigest");
    if (replaces.length === 0 && updates.length === 0) {
        // Same inputs: still a change when the tag no longer points where the source does (the source
        // tag moved, or refresh saw this tag moved out of band).
        const want = await currentSourceDigest(news);
        if (want !== undefined && want !== olds.imageDigest) updates.push("imageDigest");
    }
    // A new tag is a different object: make it, then drop the old one.
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
}

/** Reads the source manifest and puts it under `tag`; returns the outputs. */
async function pointTag(action: string, inputs: ImageTagInputs): Promise<ImageTagOutputs> {
    const client = ecrClient(inputs.region);
    const id = idOf(inputs);
    let source: StoredManifest;
    try {
        source = await findManifest(client, inputs.repository, sourceId(inputs), inputs.registryId);
    } catch (e) {
        const hint =
            e instanceof NotFoundError
                ? `push the source image first, or fix \`${inputs.sourceDigest ? "sourceDigest" : "sourceTag"}\``
                : undefined;
        throw new EcrError(action, KIND, id, e, hint);
    }
    await putTag(client, inputs, source, action);
    const where = await wrap(action, KIND, id, () => repositoryLocation(client, inputs.repository, inputs.registryId));
    return {
        ...inputs,
        imageDigest: source.digest,
        imageUri: `${where.repositoryUrl}@${source.digest}`,
    };
}

/** PutImage of the source's bytes under `tag`. The same digest already tagged so is success. */
async function putTag(client: ECRClient, inputs: ImageTagInputs, source: StoredManifest, action: string): Promise<void> {
    try {
        await client.send(
            new PutImageCommand({
                repositoryName: inputs.repository,
                registryId: inputs.registryId,
                imageManifest: source.manifest,
                imageManifestMediaType: source.mediaType,
                imageTag: inputs.tag,
            }),
        );
    } catch (e) {
        if (isA(e, "ImageAlreadyExistsException")) return; // the tag already points at this image
        if (isA(e, "ImageTagAlreadyExistsException")) {
            throw new EcrError(
                action,
                KIND,
                idOf(inputs),
                e,
                `tag "${inputs.tag}" already points at another image in repository "${inputs.repository}", whose tags are immutable; ` +
                    `pick another \`tag\`, delete that image's tag first, or set the repository's imageTagMutability to "MUTABLE"`,
            );
        }
        throw new EcrError(action, KIND, idOf(inputs), e);
    }
}

export async function create(inputs: ImageTagInputs): Promise<dynamic.CreateResult> {
    const outs = await pointTag("creating", inputs);
    return { id: idOf(inputs), outs };
}

export async function update(_id: string, _olds: ImageTagOutputs, news: ImageTagInputs): Promise<dynamic.UpdateResult> {
    return { outs: await pointTag("updating", news) };
}

/** Sees the tag moved (another digest in state, so the next diff re-points it) or deleted (gone). */
export async function read(id: string, props: Partial<ImageTagOutputs>): Promise<dynamic.ReadResult> {
    const repository = props.repository ?? id.slice(0, id.lastIndexOf(":"));
    const tag = props.tag ?? id.slice(id.lastIndexOf(":") + 1);
    const region = await resolveRegion(props.region);
    const client = ecrClient(region);
    let now: StoredManifest;
    try {
        now = await wrap("reading", KIND, id, () => findManifest(client, repository, { imageTag: tag }, props.registryId));
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const where = await wrap("reading", KIND, id, () => repositoryLocation(client, repository, props.registryId));
    const outs = { ...props, repository, tag, region, imageDigest: now.digest, imageUri: `${where.repositoryUrl}@${now.digest}` };
    return { id, props: outs };
}

/**
 * Removes this tag only. ECR deletes an image with its last tag, so when this tag was the image's
 * only one (a source named by digest), the manifest is put back untagged: the image stays.
 * A tag that now points at another image was moved by someone else: it is left alone.
 */
async function remove(id: string, props: ImageTagOutputs): Promise<void> {
    const client = ecrClient(props.region);
    const target = { repositoryName: props.repository, registryId: props.registryId };
    let image: StoredManifest;
    let tags: string[];
    try {
        image = await findManifest(client, props.repository, { imageTag: props.tag }, props.registryId);
        if (image.digest !== props.imageDigest) return;
        tags = await findImageTags(client, props.repository, image.digest, props.registryId);
    } catch (e) {
        if (e instanceof NotFoundError) return; // tag or repository already gone
        throw new EcrError("deleting", KIND, id, e);
    }
    try {
        const out = await client.send(new BatchDeleteImageCommand({ ...target, imageIds: [{ imageTag: props.tag }] }));
        const failure = out.failures?.find((x) => x.failureCode !== "ImageNotFound");
        if (failure) throw new Error(`${failure.failureCode}: ${failure.failureReason ?? ""}`);
        if (tags.length === 1 && tags[0] === props.tag) {
            try {
                await findImageTags(client, props.repository, image.digest, props.registryId);
            } catch (e) {
                if (!(e instanceof NotFoundError)) throw e;
                await client.send(
                    new PutImageCommand({
                        ...target,
                        imageManifest: image.manifest,
                        imageManifestMediaType: image.mediaType,
                        imageDigest: image.digest,
                    }),
                );
            }
        }
    } catch (e) {
        if (isA(e, "RepositoryNotFoundException")) return;
        throw e instanceof EcrError ? e : new EcrError("deleting", KIND, id, e);
    }
}

// This module's exports are the dynamic provider for `ImageTag` (see provider/index.ts).
export { remove as delete };
export { configure } from "../client";

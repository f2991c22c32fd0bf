/**
 * Reads an image from disk without Docker: an OCI image layout directory, the same layout as a tar
 * (an OCI archive), or a `docker save` tarball (the legacy form with manifest.json and
 * `<id>/layer.tar`, or the newer form that embeds an OCI layout).
 *
 * Everything pushed is verified first: each manifest and blob is present, has the size its
 * descriptor declares, and hashes to its digest. Hashing is cached per process by file, byte range,
 * size and mtime, so `pulumi preview` and `up` in one process hash a large layer once. Blobs inside
 * a tar are never extracted: they stream from their byte range in the archive.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { initError } from "../errors";
import type { UncheckedInputs as JsonDoc } from "../validate";
import type { BlobSource } from "./push";
import { type TarMember, indexTar, resolveMember } from "./tar";

export const MEDIA_TYPES = {
    ociManifest: "application/vnd.oci.image.manifest.v1+json",
    ociIndex: "application/vnd.oci.image.index.v1+json",
    dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
    dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
    dockerConfig: "application/vnd.docker.container.image.v1+json",
    dockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
    dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

const INDEX_TYPES: string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
const MANIFEST_TYPES: string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
/** ECR's PutImage limit on manifest size; also bounds what is read into memory. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";

/* Parsed manifests, indexes and configs are JsonDoc: unchecked bags, read field by field below. */

/** A source that cannot be pushed; the message names the file and the problem. */
export class SourceError extends Error {
    constructor(message: string) {
        super(message);
        initError(this, "SourceError", message);
    }
}

/** A manifest pushed by digest before the top-level index (a platform's image, or an attestation). */
export interface SourceManifest {
    digest: string;
    mediaType: string;
    bytes: Buffer;
    /** `os/architecture[/variant]`, when the index names one. */
    platform?: string;
}

/** What {@link readImageSource} found: everything a push needs, verified. */
export interface ImageSource {
    /** The file or directory read. */
    path: string;
    kind: "oci-layout" | "oci-archive" | "docker-archive";
    /** sha256 of `manifest`: the digest ECR will report. */
    digest: string;
    mediaType: string;
    /** The bytes PutImage carries with the tags (a manifest, or an index). */
    manifest: Buffer;
    /** Manifests an index references, in push order (children before parents). Empty for a single image. */
    children: SourceManifest[];
    /** Every config and layer blob, once each. */
    blobs: BlobSource[];
    /** Platforms pushed (`os/arch[/variant]`); empty when the source does not say. */
    platforms: string[];
    /** True when `platforms` narrowed an index, so the pushed index is a new one (its digest differs from the source's). */
    narrowed: boolean;
}

/** Options of {@link readImageSource}. */
export interface SourceOptions {
    /** Which image, when the source holds several: an OCI ref name, or `repo:tag` in a docker archive. */
    sourceRef?: string;
    /** Push only these platforms of an index (`os/arch[/variant]`). */
    platforms?: string[];
}

// ---------- containers: a directory or a tar, read the same way ----------

interface Entry {
    /** Real file holding the bytes, and where in it. */
    file: string;
    offset: number;
    size: number;
    mtimeMs: number;
}

interface Container {
    root: string;
    /** How a member is named in messages. */
    describe(name: string): string;
    entry(name: string): Promise<Entry | undefined>;
}

function directoryContainer(dir: string): Container {
    return {
        root: dir,
        describe: (name) => path.join(dir, name),
        entry: async (name) => {
            const file = path.join(dir, name);
            try {
                const st = await fs.promises.stat(file);
                if (!st.isFile()) return undefined;
                return { file, offset: 0, size: st.size, mtimeMs: st.mtimeMs };
            } catch {
                return undefined;
            }
        },
    };
}

function tarContainer(file: string, members: Map<string, TarMember>, mtimeMs: number): Container {
    return {
        root: file,
        describe: (name) => `${file} (member ${name})`,
        entry: async (name) => {
            const m = resolveMember(members, name);
            return m ? { file, offset: m.offset, size: m.size, mtimeMs } : undefined;
        },
    };
}

async function readEntry(c: Container, name: string, max: number): Promise<Buffer> {
    const e = await c.entry(name);
    if (!e) throw new SourceError(`${c.describe(name)}: missing`);
    if (e.size > max) throw new SourceError(`${c.describe(name)}: ${e.size} bytes, more than the ${max} a manifest or config may have`);
    const buf = Buffer.alloc(e.size);
    const fh = await fs.promises.open(e.file, "r");
    try {
        const { bytesRead } = await fh.read(buf, 0, e.size, e.offset);
        if (bytesRead !== e.size) throw new SourceError(`${c.describe(name)}: truncated (read ${bytesRead} of ${e.size} bytes)`);
    } finally {
        await fh.close();
    }
    return buf;
}

function parseJson(c: Container, name: string, bytes: Buffer): JsonDoc {
    try {
        const v = JSON.parse(bytes.toString("utf8"));
        if (typeof v !== "object" || v === null) throw new Error("not a JSON object");
        return v;
    } catch (e) {
        throw new SourceError(`${c.describe(name)}: not valid JSON (${(e as Error).message})`);
    }
}

// ---------- hashing, cached per process ----------

/**
 * The per-process hash cache lives on globalThis, made on first use: Pulumi's closure serializer,
 * when it stores this provider by value, cannot carry a module-level Map (or a Symbol key).
 */
function hashCache(): Map<string, string> {
    const g = globalThis as { __pulumiEcrImageSourceHashes?: Map<string, string> };
    return (g.__pulumiEcrImageSourceHashes ??= new Map<string, string>());
}

export const sha256 = (b: Buffer | string): string => "sha256:" + crypto.createHash("sha256").update(b).digest("hex");

function streamRange(e: Entry): fs.ReadStream {
    return e.size === 0
        ? fs.createReadStream(e.file, { start: 0, end: -1 })
        : fs.createReadStream(e.file, { start: e.offset, end: e.offset + e.size - 1, highWaterMark: 1024 * 1024 });
}

/** sha256 of an entry's bytes, streamed; cached by file, range, size and mtime. */
async function hashEntry(e: Entry): Promise<string> {
    const key = `${e.file}|${e.offset}|${e.size}|${e.mtimeMs}`;
    const hit = hashCache().get(key);
    if (hit) return hit;
    const h = crypto.createHash("sha256");
    if (e.size > 0) {
        for await (const chunk of streamRange(e)) h.update(chunk as Buffer);
    }
    const digest = "sha256:" + h.digest("hex");
    hashCache().set(key, digest);
    return digest;
}

/** Forgets cached hashes (tests that rewrite a file within the same mtime tick). @internal */
export function clearHashCache(): void {
    hashCache().clear();
}

function blobName(c: Container, digest: string, where: string): string {
    const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
    if (!m)
        throw new SourceError(
            `${c.describe("index.json")}: ${where} has digest ${JSON.stringify(digest)}; only sha256 digests can be pushed to ECR`,
        );
    return `blobs/sha256/${m[1]}`;
}

function blobSource(e: Entry, digest: string, mediaType?: string): BlobSource {
    return { digest, size: e.size, mediaType, open: async () => streamRange(e) };
}

/** A blob that is present, has the declared size and hashes to its digest. */
async function verifiedBlob(c: Container, desc: Descriptor, where: string): Promise<BlobSource> {
    const name = blobName(c, desc.digest, where);
    const e = await c.entry(name);
    if (!e) throw new SourceError(`${c.describe(name)}: missing; ${where} references blob ${desc.digest}`);
    if (e.size !== desc.size) {
        throw new SourceError(`${c.describe(name)}: ${e.size} bytes, but ${where} declares ${desc.size} for ${desc.digest}`);
    }
    const actual = await hashEntry(e);
    if (actual !== desc.digest) {
        throw new SourceError(`${c.describe(name)}: its bytes hash to ${actual}, not to ${desc.digest} (${where}); the blob is corrupt`);
    }
    return blobSource(e, desc.digest, desc.mediaType);
}

// ---------- OCI layouts ----------

interface Descriptor {
    mediaType?: string;
    digest: string;
    size: number;
    platform?: { os?: string; architecture?: string; variant?: string };
    annotations?: Record<string, string>;
}

function descriptor(c: Container, v: JsonDoc, where: string): Descriptor {
    if (!v || typeof v.digest !== "string" || typeof v.size !== "number" || !Number.isInteger(v.size) || v.size < 0) {
        throw new SourceError(`${c.describe("index.json")}: ${where} is not a valid descriptor (needs digest and size)`);
    }
    return v as Descriptor;
}

const platformOf = (p: Descriptor["platform"]): string | undefined =>
    p?.os && p.architecture ? [p.os, p.architecture, p.variant].filter(Boolean).join("/").toLowerCase() : undefined;

/** `linux/arm64` matches `linux/arm64/v8`; a requested variant must match exactly. */
export function platformMatches(requested: string, actual: string | undefined): boolean {
    if (!actual) return false;
    const r = requested.toLowerCase().split("/");
    const a = actual.split("/");
    return r[0] === a[0] && r[1] === a[1] && (r.length < 3 || r[2] === a[2]);
}

/** A manifest's bytes, verified against its descriptor, and its media type. */
async function readManifest(c: Container, desc: Descriptor, where: string): Promise<{ bytes: Buffer; doc: JsonDoc; mediaType: string }> {
    const name = blobName(c, desc.digest, where);
    const e = await c.entry(name);
    if (!e) throw new SourceError(`${c.describe(name)}: missing; ${where} references manifest ${desc.digest}`);
    const bytes = await readEntry(c, name, MAX_MANIFEST_BYTES);
    if (bytes.length !== desc.size) throw new SourceError(`${c.describe(name)}: ${bytes.length} bytes, but ${where} declares ${desc.size}`);
    const actual = sha256(bytes);
    if (actual !== desc.digest) throw new SourceError(`${c.describe(name)}: its bytes hash to ${actual}, not to ${desc.digest} (${where})`);
    const doc = parseJson(c, name, bytes);
    const mediaType = desc.mediaType ?? doc.mediaType ?? (Array.isArray(doc.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
    if (doc.mediaType && desc.mediaType && doc.mediaType !== desc.mediaType) {
        throw new SourceError(`${c.describe(name)}: its mediaType ${doc.mediaType} differs from ${desc.mediaType} given by ${where}`);
    }
    if (!INDEX_TYPES.includes(mediaType) && !MANIFEST_TYPES.includes(mediaType)) {
        throw new SourceError(`${c.describe(name)}: media type ${mediaType} is not an image manifest or index ECR accepts`);
    }
    return { bytes, doc, mediaType };
}

interface Collected {
    children: SourceManifest[];
    blobs: Map<string, BlobSource>;
}

/** Verifies an image manifest's config and layers and adds them to `into`. */
async function collectImage(c: Container, digest: string, doc: JsonDoc, into: Collected): Promise<void> {
    const where = `manifest ${digest}`;
    const config = descriptor(c, doc.config, `${where} config`);
    const layers: JsonDoc[] = Array.isArray(doc.layers) ? doc.layers : [];
    for (const [i, d] of [config, ...layers.map((l: JsonDoc, i: number) => descriptor(c, l, `${where} layers[${i}]`))].entries()) {
        if (into.blobs.has(d.digest)) continue;
        const at = i === 0 ? `${where} (config)` : `${where} (layers[${i - 1}])`;
        into.blobs.set(d.digest, await verifiedBlob(c, d, at));
    }
}

/** Verifies an index's members (recursively) and adds them, children first. */
async function collectIndex(c: Container, members: Descriptor[], into: Collected, where: string): Promise<void> {
    for (const [i, d] of members.entries()) {
        const at = `${where} manifests[${i}]`;
        const m = await readManifest(c, d, at);
        if (INDEX_TYPES.includes(m.mediaType)) {
            const nested = (Array.isArray(m.doc.manifests) ? m.doc.manifests : []).map((x: JsonDoc, j: number) =>
                descriptor(c, x, `${at} manifests[${j}]`),
            );
            await collectIndex(c, nested, into, `index ${d.digest}`);
        } else {
            await collectImage(c, d.digest, m.doc, into);
        }
        into.children.push({ digest: d.digest, mediaType: m.mediaType, bytes: m.bytes, platform: platformOf(d.platform) });
    }
}

/** Docker's image names: "app" means "docker.io/library/app:latest". */
function normalizeImageName(ref: string): string {
    let r = ref.trim();
    if (!/[:@][^/]*$/.test(r)) r += ":latest";
    r = r.replace(/^docker\.io\//, "").replace(/^index\.docker\.io\//, "");
    r = r.replace(/^library\//, "");
    return r;
}

function refNames(d: Descriptor): string[] {
    return [d.annotations?.[REF_NAME], d.annotations?.[CONTAINERD_NAME]].filter((x): x is string => typeof x === "string");
}

function refMatches(sourceRef: string, d: Descriptor): boolean {
    return refNames(d).some((n) => n === sourceRef || normalizeImageName(n) === normalizeImageName(sourceRef));
}

async function readOciLayout(c: Container, kind: ImageSource["kind"], opts: SourceOptions): Promise<ImageSource> {
    const indexBytes = await readEntry(c, "index.json", MAX_MANIFEST_BYTES);
    const index = parseJson(c, "index.json", indexBytes);
    if (!Array.isArray(index.manifests) || index.manifests.length === 0) {
        throw new SourceError(`${c.describe("index.json")}: lists no manifests`);
    }
    const entries: Descriptor[] = index.manifests.map((m: JsonDoc, i: number) => descriptor(c, m, `index.json manifests[${i}]`));

    // Which image: by ref name, the only one, or (no refs, all platform manifests) index.json itself.
    let top: { bytes: Buffer; doc: JsonDoc; mediaType: string; digest: string };
    if (opts.sourceRef !== undefined) {
        const hits = entries.filter((d) => refMatches(opts.sourceRef!, d));
        if (hits.length === 0) {
            const names = [...new Set(entries.flatMap(refNames))];
            throw new SourceError(
                `${c.describe("index.json")}: no image named ${JSON.stringify(opts.sourceRef)}; ` +
                    (names.length
                        ? `it holds ${names.map((n) => JSON.stringify(n)).join(", ")}`
                        : "its images carry no ref names; leave sourceRef out"),
            );
        }
        if (hits.length > 1)
            throw new SourceError(`${c.describe("index.json")}: ${hits.length} images are named ${JSON.stringify(opts.sourceRef)}`);
        top = { ...(await readManifest(c, hits[0], `index.json entry ${JSON.stringify(opts.sourceRef)}`)), digest: hits[0].digest };
    } else if (entries.length === 1) {
        top = { ...(await readManifest(c, entries[0], "index.json manifests[0]")), digest: entries[0].digest };
    } else if (entries.every((d) => platformOf(d.platform) && refNames(d).length === 0)) {
        top = { bytes: indexBytes, doc: index, mediaType: index.mediaType ?? MEDIA_TYPES.ociIndex, digest: sha256(indexBytes) };
    } else {
        const names = [...new Set(entries.flatMap(refNames))];
        throw new SourceError(
            `${c.describe("index.json")}: holds ${entries.length} images; set sourceRef to pick one` +
                (names.length ? ` (${names.map((n) => JSON.stringify(n)).join(", ")})` : ""),
        );
    }

    const into: Collected = { children: [], blobs: new Map() };
    let narrowed = false;
    let platforms: string[];
    if (INDEX_TYPES.includes(top.mediaType)) {
        const where = `index ${top.digest}`;
        const all: Descriptor[] = (Array.isArray(top.doc.manifests) ? top.doc.manifests : []).map((m: JsonDoc, i: number) =>
            descriptor(c, m, `${where} manifests[${i}]`),
        );
        let kept = all;
        if (opts.platforms && opts.platforms.length > 0) {
            const images = all.filter((d) => opts.platforms!.some((p) => platformMatches(p, platformOf(d.platform))));
            if (images.length === 0) {
                const have = [...new Set(all.map((d) => platformOf(d.platform)).filter(Boolean))];
                throw new SourceError(
                    `${c.describe(`blobs/sha256/${top.digest.slice(7)}`)}: no manifest in index ${top.digest} matches platforms ` +
                        `${JSON.stringify(opts.platforms)}; it has ${have.length ? have.join(", ") : "no platforms"}`,
                );
            }
            // Attestations (buildx) follow the image they describe.
            const keptDigests = new Set(images.map((d) => d.digest));
            kept = all.filter((d) => keptDigests.has(d.digest) || keptDigests.has(d.annotations?.["vnd.docker.reference.digest"] ?? ""));
        }
        await collectIndex(c, kept, into, where);
        platforms = [...new Set(kept.map((d) => platformOf(d.platform)).filter((p): p is string => !!p && p !== "unknown/unknown"))];
        if (kept.length !== all.length) {
            // A new index listing only the kept manifests, built deterministically from the source's
            // own: same fields in the same order, so preview and up compute the same digest.
            narrowed = true;
            const doc: Record<string, unknown> = {};
            for (const k of Object.keys(top.doc)) doc[k] = k === "manifests" ? kept : top.doc[k];
            const bytes = Buffer.from(JSON.stringify(doc), "utf8");
            top = { bytes, doc, mediaType: top.mediaType, digest: sha256(bytes) };
        }
    } else {
        await collectImage(c, top.digest, top.doc, into);
        platforms = await singlePlatform(c, top.doc, opts);
    }
    return {
        path: c.root,
        kind,
        digest: top.digest,
        mediaType: top.mediaType,
        manifest: top.bytes,
        children: into.children,
        blobs: [...into.blobs.values()],
        platforms,
        narrowed,
    };
}

/** A single image's platform (from its config), checked against `platforms` when given. */
async function singlePlatform(c: Container, doc: JsonDoc, opts: SourceOptions): Promise<string[]> {
    const configDigest: string = doc.config?.digest;
    let platform: string | undefined;
    try {
        const cfg = parseJson(
            c,
            blobName(c, configDigest, "config"),
            await readEntry(c, blobName(c, configDigest, "config"), MAX_CONFIG_BYTES),
        );
        platform = platformOf({ os: cfg.os, architecture: cfg.architecture, variant: cfg.variant });
    } catch {
        platform = undefined; // not an image config (an artifact): no platform to match
    }
    if (opts.platforms && opts.platforms.length > 0 && !opts.platforms.some((p) => platformMatches(p, platform))) {
        throw new SourceError(
            `${c.describe(blobName(c, configDigest, "config"))}: the image is ${platform ?? "of no platform"}, which matches none of platforms ${JSON.stringify(opts.platforms)}`,
        );
    }
    return platform ? [platform] : [];
}

// ---------- docker save (legacy form) ----------

async function readDockerArchive(c: Container, opts: SourceOptions): Promise<ImageSource> {
    const list = parseJson(c, "manifest.json", await readEntry(c, "manifest.json", MAX_MANIFEST_BYTES));
    if (!Array.isArray(list) || list.length === 0) throw new SourceError(`${c.describe("manifest.json")}: lists no images`);
    let entry: JsonDoc | undefined;
    if (opts.sourceRef !== undefined) {
        const want = normalizeImageName(opts.sourceRef);
        entry = list.find((e: JsonDoc) => (e?.RepoTags ?? []).some((t: string) => normalizeImageName(t) === want));
        if (!entry) {
            const tags = list.flatMap((e: JsonDoc) => e?.RepoTags ?? []);
            throw new SourceError(
                `${c.describe("manifest.json")}: no image tagged ${JSON.stringify(opts.sourceRef)}; it holds ${tags.length ? tags.map((t: string) => JSON.stringify(t)).join(", ") : "untagged images only"}`,
            );
        }
    } else if (list.length === 1) {
        entry = list[0];
    } else {
        const tags = list.flatMap((e: JsonDoc) => e?.RepoTags ?? []);
        throw new SourceError(
            `${c.describe("manifest.json")}: holds ${list.length} images; set sourceRef to one of ${tags.map((t: string) => JSON.stringify(t)).join(", ")}`,
        );
    }
    if (typeof entry?.Config !== "string" || !Array.isArray(entry.Layers)) {
        throw new SourceError(`${c.describe("manifest.json")}: an entry lacks Config or Layers`);
    }
    const configBytes = await readEntry(c, entry.Config, MAX_CONFIG_BYTES);
    const config = parseJson(c, entry.Config, configBytes);
    const configEntry = (await c.entry(entry.Config))!;
    const configDigest = sha256(configBytes);
    const blobs = new Map<string, BlobSource>();
    blobs.set(configDigest, blobSource(configEntry, configDigest, MEDIA_TYPES.dockerConfig));
    const diffIds: unknown[] = Array.isArray(config.rootfs?.diff_ids) ? config.rootfs.diff_ids : [];
    const layers: { mediaType: string; size: number; digest: string }[] = [];
    for (const [i, name] of (entry.Layers as string[]).entries()) {
        const e = await c.entry(name);
        if (!e) throw new SourceError(`${c.describe(name)}: missing; manifest.json lists it as layer ${i}`);
        const digest = await hashEntry(e);
        const head = e.size >= 2 ? await readHead(e) : Buffer.alloc(0);
        const gzip = head[0] === 0x1f && head[1] === 0x8b;
        if (!gzip && diffIds[i] !== undefined && diffIds[i] !== digest) {
            throw new SourceError(
                `${c.describe(name)}: its bytes hash to ${digest}, but the image config ${entry.Config} expects layer ${i} to be ${String(diffIds[i])}`,
            );
        }
        const mediaType = gzip ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.dockerLayer;
        layers.push({ mediaType, size: e.size, digest });
        if (!blobs.has(digest)) blobs.set(digest, blobSource(e, digest, mediaType));
    }
    // The schema-2 manifest Docker itself would push for uncompressed layers, with a fixed key
    // order and no whitespace, so the same tarball always gives the same digest.
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA_TYPES.dockerManifest,
            config: { mediaType: MEDIA_TYPES.dockerConfig, size: configBytes.length, digest: configDigest },
            layers,
        }),
        "utf8",
    );
    const platform = platformOf({ os: config.os, architecture: config.architecture, variant: config.variant });
    if (opts.platforms && opts.platforms.length > 0 && !opts.platforms.some((p) => platformMatches(p, platform))) {
        throw new SourceError(
            `${c.describe(entry.Config)}: the image is ${platform ?? "of no platform"}, which matches none of platforms ${JSON.stringify(opts.platforms)}`,
        );
    }
    return {
        path: c.root,
        kind: "docker-archive",
        digest: sha256(manifest),
        mediaType: MEDIA_TYPES.dockerManifest,
        manifest,
        children: [],
        blobs: [...blobs.values()],
        platforms: platform ? [platform] : [],
        narrowed: false,
    };
}

async function readHead(e: Entry): Promise<Buffer> {
    const fh = await fs.promises.open(e.file, "r");
    try {
        const b = Buffer.alloc(2);
        await fh.read(b, 0, 2, e.offset);
        return b;
    } finally {
        await fh.close();
    }
}

// ---------- entry point ----------

/**
 * Reads and verifies the image at `source` (an absolute path). Throws {@link SourceError} naming
 * the file and the problem: a missing path, a corrupt tarball, a blob whose bytes do not match its
 * digest, a manifest that references a missing blob, a `sourceRef` that is not there, or an index
 * where `platforms` matches nothing.
 */
export async function readImageSource(source: string, opts: SourceOptions = {}): Promise<ImageSource> {
    let st: fs.Stats;
    try {
        st = await fs.promises.stat(source);
    } catch {
        throw new SourceError(`${source}: no such file or directory`);
    }
    if (st.isDirectory()) {
        const c = directoryContainer(source);
        if (!(await c.entry("oci-layout"))) {
            throw new SourceError(`${path.join(source, "oci-layout")}: missing, so ${source} is not an OCI image layout directory`);
        }
        return readOciLayout(c, "oci-layout", opts);
    }
    let members: Map<string, TarMember>;
    try {
        members = await indexTar(source);
    } catch (e) {
        throw new SourceError((e as Error).message);
    }
    const c = tarContainer(source, members, st.mtimeMs);
    if ((await c.entry("index.json")) && (await c.entry("oci-layout"))) {
        // An OCI archive, or a newer `docker save` (which embeds an OCI layout next to manifest.json).
        return readOciLayout(c, (await c.entry("manifest.json")) ? "docker-archive" : "oci-archive", opts);
    }
    if (await c.entry("manifest.json")) return readDockerArchive(c, opts);
    throw new SourceError(
        `${source}: a tar file with neither index.json + oci-layout (an OCI archive) nor manifest.json (a docker save tarball)`,
    );
}

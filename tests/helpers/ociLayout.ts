/**
 * Builds images on disk with Node only (no Docker): OCI image layouts (one image, or an index of
 * several platforms), OCI archives (the layout as a tar) and `docker save` tarballs in the legacy
 * form. Layers are real uncompressed tars holding one file of random bytes, so every push moves
 * fresh bytes. Shared by the Image, ImageCopy and push tests and the examples.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

export const sha256 = (b: Buffer | string): string => "sha256:" + crypto.createHash("sha256").update(b).digest("hex");

// ---------- a small tar writer (ustar, pax headers for long names) ----------

/** One member to write: bytes, a file to copy, a directory or a symlink. */
export interface TarEntry {
    name: string;
    data?: Buffer;
    /** Copy this file's bytes (streamed in chunks, never loaded whole). */
    file?: string;
    type?: "file" | "dir" | "symlink";
    linkName?: string;
}

function octal(n: number, width: number): string {
    return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, typeflag: string, linkName = ""): Buffer {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, "utf8");
    h.write(octal(0o644, 8), 100, "latin1");
    h.write(octal(0, 8), 108, "latin1");
    h.write(octal(0, 8), 116, "latin1");
    h.write(octal(size, 12), 124, "latin1");
    h.write(octal(0, 12), 136, "latin1");
    h.write("        ", 148, "latin1");
    h.write(typeflag, 156, "latin1");
    h.write(linkName, 157, 100, "utf8");
    h.write("ustar\0", 257, "latin1");
    h.write("00", 263, "latin1");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    return h;
}

function paxHeader(fields: Record<string, string>): Buffer[] {
    let body = "";
    for (const [k, v] of Object.entries(fields)) {
        const rest = ` ${k}=${v}\n`;
        let len = Buffer.byteLength(rest) + 1;
        while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
        body += `${len}${rest}`;
    }
    const data = Buffer.from(body, "utf8");
    return [header("PaxHeader", data.length, "x"), data, Buffer.alloc((512 - (data.length % 512)) % 512)];
}

/** Writes a tar file; names longer than 100 bytes get a pax `path` record. */
export function writeTar(file: string, entries: TarEntry[]): void {
    const fd = fs.openSync(file, "w");
    try {
        const put = (b: Buffer) => fs.writeSync(fd, b);
        for (const e of entries) {
            const type = e.type ?? "file";
            const name = type === "dir" && !e.name.endsWith("/") ? `${e.name}/` : e.name;
            const size = type === "file" ? (e.data ? e.data.length : fs.statSync(e.file!).size) : 0;
            if (Buffer.byteLength(name) > 100 || Buffer.byteLength(e.linkName ?? "") > 100) {
                const fields: Record<string, string> = { path: name };
                if (e.linkName) fields.linkpath = e.linkName;
                for (const b of paxHeader(fields)) put(b);
            }
            put(header(name.slice(0, 100), size, type === "file" ? "0" : type === "dir" ? "5" : "2", (e.linkName ?? "").slice(0, 100)));
            if (type !== "file") continue;
            if (e.data) {
                put(e.data);
            } else {
                const src = fs.openSync(e.file!, "r");
                const buf = Buffer.alloc(4 * 1024 * 1024);
                try {
                    for (let pos = 0; pos < size;) {
                        const n = fs.readSync(src, buf, 0, Math.min(buf.length, size - pos), pos);
                        if (n <= 0) throw new Error(`${e.file} shrank while it was tarred`);
                        put(buf.subarray(0, n));
                        pos += n;
                    }
                } finally {
                    fs.closeSync(src);
                }
            }
            const pad = (512 - (size % 512)) % 512;
            if (pad) put(Buffer.alloc(pad));
        }
        put(Buffer.alloc(1024));
    } finally {
        fs.closeSync(fd);
    }
}

/** A layer: an uncompressed tar holding one file of `size` random bytes. */
export function randomLayer(size: number, name = "data.bin"): Buffer {
    const data = crypto.randomBytes(size);
    const h = header(name, size, "0");
    return Buffer.concat([h, data, Buffer.alloc((512 - (size % 512)) % 512), Buffer.alloc(1024)]);
}

// ---------- OCI image layouts ----------

/** Options of {@link makeOciLayout}. */
export interface OciLayoutOptions {
    /** Random payload bytes of each layer (per platform). @default [1024, 3000] */
    layers?: number[];
    /** With platforms (`os/arch[/variant]`), an index with one image per platform. @default one image, linux/amd64 */
    platforms?: string[];
    /** The `org.opencontainers.image.ref.name` of the index.json entry; `null` for none. @default "latest" */
    refName?: string | null;
    /** Also add a second image under this ref name (a source holding several images). */
    extraRef?: string;
}

/** One image of a layout. */
export interface LayoutImage {
    platform: string;
    digest: string;
    manifest: Buffer;
    config: Buffer;
    configDigest: string;
    layers: Buffer[];
    layerDigests: string[];
}

/** What {@link makeOciLayout} wrote. */
export interface OciLayout {
    dir: string;
    /** Digest of what index.json points at for `refName`: the index with platforms, else the manifest. */
    digest: string;
    mediaType: string;
    /** The bytes behind `digest`. */
    manifest: Buffer;
    images: LayoutImage[];
    /** Every blob written, by digest. */
    blobs: Map<string, Buffer>;
    blobPath(digest: string): string;
}

function writeBlob(dir: string, blobs: Map<string, Buffer>, b: Buffer): string {
    const d = sha256(b);
    fs.writeFileSync(path.join(dir, "blobs", "sha256", d.slice(7)), b);
    blobs.set(d, b);
    return d;
}

function makeImage(dir: string, blobs: Map<string, Buffer>, platform: string, sizes: number[]): LayoutImage {
    const [os, architecture, variant] = platform.split("/");
    const layers = sizes.map((s, i) => randomLayer(s, `layer-${i}.bin`));
    const layerDigests = layers.map((l) => writeBlob(dir, blobs, l));
    const config = Buffer.from(
        JSON.stringify({
            architecture,
            os,
            ...(variant ? { variant } : {}),
            config: { Cmd: ["/bin/true"] },
            rootfs: { type: "layers", diff_ids: layerDigests },
        }),
    );
    const configDigest = writeBlob(dir, blobs, config);
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
            layers: layers.map((l, i) => ({ mediaType: OCI_LAYER, digest: layerDigests[i], size: l.length })),
        }),
    );
    const digest = writeBlob(dir, blobs, manifest);
    return { platform, digest, manifest, config, configDigest, layers, layerDigests };
}

/** Writes an OCI image layout into `dir` (created if missing) and returns what it holds. */
export function makeOciLayout(dir: string, opts: OciLayoutOptions = {}): OciLayout {
    fs.mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
    const blobs = new Map<string, Buffer>();
    const sizes = opts.layers ?? [1024, 3000];
    const refName = opts.refName === undefined ? "latest" : opts.refName;
    const annotations = (ref: string | null | undefined) => (ref ? { annotations: { "org.opencontainers.image.ref.name": ref } } : {});
    let images: LayoutImage[];
    let top: { digest: string; mediaType: string; manifest: Buffer; size: number };
    if (opts.platforms && opts.platforms.length > 0) {
        images = opts.platforms.map((p) => makeImage(dir, blobs, p, sizes));
        const index = Buffer.from(
            JSON.stringify({
                schemaVersion: 2,
                mediaType: OCI_INDEX,
                manifests: images.map((img) => {
                    const [os, architecture, variant] = img.platform.split("/");
                    return {
                        mediaType: OCI_MANIFEST,
                        digest: img.digest,
                        size: img.manifest.length,
                        platform: { architecture, os, ...(variant ? { variant } : {}) },
                    };
                }),
            }),
        );
        top = { digest: writeBlob(dir, blobs, index), mediaType: OCI_INDEX, manifest: index, size: index.length };
    } else {
        images = [makeImage(dir, blobs, "linux/amd64", sizes)];
        top = { digest: images[0].digest, mediaType: OCI_MANIFEST, manifest: images[0].manifest, size: images[0].manifest.length };
    }
    const entries: any[] = [{ mediaType: top.mediaType, digest: top.digest, size: top.size, ...annotations(refName) }];
    if (opts.extraRef) {
        const extra = makeImage(dir, blobs, "linux/amd64", [512]);
        entries.push({ mediaType: OCI_MANIFEST, digest: extra.digest, size: extra.manifest.length, ...annotations(opts.extraRef) });
    }
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
    return {
        dir,
        digest: top.digest,
        mediaType: top.mediaType,
        manifest: top.manifest,
        images,
        blobs,
        blobPath: (d) => path.join(dir, "blobs", "sha256", d.replace(/^sha256:/, "")),
    };
}

/** Tars an OCI layout directory into an OCI archive at `file` (files in sorted order). */
export function makeOciArchive(layoutDir: string, file: string): void {
    const entries: TarEntry[] = [];
    const walk = (rel: string) => {
        for (const name of fs.readdirSync(path.join(layoutDir, rel)).sort()) {
            const r = rel ? `${rel}/${name}` : name;
            const full = path.join(layoutDir, r);
            if (fs.statSync(full).isDirectory()) {
                entries.push({ name: r, type: "dir" });
                walk(r);
            } else {
                entries.push({ name: r, file: full });
            }
        }
    };
    walk("");
    writeTar(file, entries);
}

/** What {@link makeDockerArchive} wrote. */
export interface DockerArchive {
    file: string;
    config: Buffer;
    configDigest: string;
    /** Layer tars in image order (a repeated layer appears twice). */
    layers: Buffer[];
    layerDigests: string[];
}

/**
 * Writes a legacy `docker save` tarball: manifest.json, `<config hex>.json`, `<id>/layer.tar` per
 * layer and `repositories`. With `repeatFirstLayer`, the first layer appears again at the end as a
 * symlink to the first one's tar, as `docker save` writes repeated layers.
 */
export function makeDockerArchive(
    file: string,
    opts: { layers?: number[]; repoTags?: string[]; repeatFirstLayer?: boolean } = {},
): DockerArchive {
    const layers = (opts.layers ?? [1024, 2048]).map((s, i) => randomLayer(s, `docker-${i}.bin`));
    const ids = layers.map((l) => sha256(l).slice(7));
    const order = opts.repeatFirstLayer ? [...layers, layers[0]] : layers;
    const layerDigests = order.map((l) => sha256(l));
    const config = Buffer.from(
        JSON.stringify({
            architecture: "amd64",
            os: "linux",
            config: { Cmd: ["/bin/true"] },
            rootfs: { type: "layers", diff_ids: layerDigests },
        }),
    );
    const configDigest = sha256(config);
    const repoTags = opts.repoTags ?? ["app:latest"];
    const layerPaths = ids.map((id) => `${id}/layer.tar`);
    if (opts.repeatFirstLayer) layerPaths.push("repeat/layer.tar");
    const entries: TarEntry[] = [];
    for (const [i, l] of layers.entries()) {
        entries.push(
            { name: ids[i], type: "dir" },
            { name: `${ids[i]}/VERSION`, data: Buffer.from("1.0") },
            { name: `${ids[i]}/layer.tar`, data: l },
        );
    }
    if (opts.repeatFirstLayer)
        entries.push({ name: "repeat", type: "dir" }, { name: "repeat/layer.tar", type: "symlink", linkName: `../${ids[0]}/layer.tar` });
    entries.push({ name: `${configDigest.slice(7)}.json`, data: config });
    entries.push({
        name: "manifest.json",
        data: Buffer.from(JSON.stringify([{ Config: `${configDigest.slice(7)}.json`, RepoTags: repoTags, Layers: layerPaths }])),
    });
    const repos: Record<string, Record<string, string>> = {};
    for (const t of repoTags) {
        const [r, tag] = t.split(":");
        (repos[r] ??= {})[tag] = ids[ids.length - 1];
    }
    entries.push({ name: "repositories", data: Buffer.from(JSON.stringify(repos)) });
    writeTar(file, entries);
    return { file, config, configDigest, layers: order, layerDigests };
}

/**
 * The state of the local endpoint, shared by the JSON API and the registry side: repositories
 * with their images, tags and layer links, content-addressed blobs, and layer uploads in flight.
 *
 * In memory by default. With a data directory every acknowledged write is durable before the
 * response leaves: metadata files and blobs are written to a temporary file, fsynced, renamed
 * over the target and the directory fsynced, so a killed process leaves either the old or the
 * new version of a file, never a torn one. All mutations run synchronously inside one turn of
 * the event loop, which is what keeps concurrent requests from interleaving.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { repositoryNotFound } from "./exceptions";
import { type RegistryRecord, emptyRegistry } from "./registryRecords";
import type { ResourceTag } from "./validate";

export interface ExclusionFilter {
    filterType: string;
    filter: string;
}

/** A layer (or config) blob linked into one repository, as ECR scopes layers per repository. */
export interface LayerLink {
    size: number;
    mediaType?: string;
}

export interface ImageRecord {
    digest: string;
    /** The manifest exactly as pushed (its UTF-8 bytes hash to `digest`). */
    manifest: string;
    mediaType: string;
    artifactMediaType?: string;
    sizeInBytes: number;
    /** Epoch milliseconds. */
    pushedAt: number;
    lastPulledAt?: number;
    subjectDigest?: string;
    /** Tags in the order they were applied. */
    tags: string[];
    /** Blobs the manifest references (config and layers). */
    blobs: string[];
    /** Manifests a manifest list / index references. */
    children: string[];
}

export interface RepositoryRecord {
    name: string;
    /** Epoch milliseconds. */
    createdAt: number;
    imageTagMutability: string;
    imageTagMutabilityExclusionFilters?: ExclusionFilter[];
    scanOnPush: boolean;
    encryption: { encryptionType: string; kmsKey?: string };
    tags: ResourceTag[];
    policyText?: string;
    lifecyclePolicyText?: string;
    images: Record<string, ImageRecord>;
    layers: Record<string, LayerLink>;
}

/** A repository as held in memory: the persisted record plus indexes and transient state. */
export interface Repository extends RepositoryRecord {
    /** tag → image digest, rebuilt from `images` on load. */
    tagIndex: Map<string, string>;
    /** Before this instant (epoch ms) the repository is not yet visible (fault injection). */
    visibleAt: number;
}

export interface UploadSession {
    id: string;
    repositoryName: string;
    /** `api` for InitiateLayerUpload, `oci` for the registry side's blob uploads. */
    source: "api" | "oci";
    createdAt: number;
    size: number;
    /** Sizes of the parts received, in order (the 5 MiB rule looks at all but the last). */
    parts: number[];
}

interface UploadState extends UploadSession {
    hash: crypto.Hash;
    chunks?: Buffer[];
}

const META_VERSION = 1;
/** How long an unfinished layer upload is kept. */
const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Blob sizes remembered with a data directory (about 100 bytes each). */
const BLOB_SIZE_CACHE = 4096;

export class Store {
    readonly repositories = new Map<string, Repository>();
    /** Registry-level settings; change it in place, then `saveRegistry()`. */
    registry: RegistryRecord = emptyRegistry();
    private readonly uploads = new Map<string, UploadState>();
    private readonly memoryBlobs = new Map<string, Buffer>();
    /** Sizes of known blobs. In memory mode one per blob held; with a data directory a bounded cache of the files' sizes. */
    private readonly blobSizes = new Map<string, number>();
    /** Signs registry passwords and download URLs; persisted with the data so tokens survive a restart. */
    readonly secret: Buffer;
    private tmpCounter = 0;

    /** @param blobSizeCache how many blob sizes to remember with a data directory (tests make it small) */
    constructor(
        readonly dataDir?: string,
        private readonly blobSizeCache = BLOB_SIZE_CACHE,
    ) {
        if (!dataDir) {
            this.secret = crypto.randomBytes(32);
            return;
        }
        for (const sub of ["repositories", "blobs/sha256", "uploads"]) {
            fs.mkdirSync(path.join(dataDir, sub), { recursive: true });
        }
        this.secret = this.loadSecret();
        this.load();
    }

    // ---- repositories -------------------------------------------------------------------

    /** The repository named `name` once it is visible (see the visibility-delay fault), else `undefined`. */
    visibleRepository(name: string): Repository | undefined {
        const repo = this.repositories.get(name);
        return repo && Date.now() >= repo.visibleAt ? repo : undefined;
    }

    /** Every repository the visibility fault does not hide yet, as DescribeRepositories lists them. */
    visibleRepositories(): Repository[] {
        const now = Date.now();
        return [...this.repositories.values()].filter((r) => now >= r.visibleAt);
    }

    /** Persists one repository's record (no-op in memory mode). */
    saveRepository(repo: Repository): void {
        if (!this.dataDir) return;
        const { tagIndex: _t, visibleAt: _v, ...record } = repo;
        this.writeAtomic(this.repositoryFile(repo.name), JSON.stringify({ version: META_VERSION, repository: record }));
    }

    addRepository(record: RepositoryRecord, visibleAt: number): Repository {
        const repo: Repository = { ...record, tagIndex: new Map(), visibleAt };
        this.repositories.set(repo.name, repo);
        this.saveRepository(repo);
        return repo;
    }

    removeRepository(name: string): void {
        this.repositories.delete(name);
        // Its unfinished uploads can never complete (ECR answers UploadNotFound): free them now, not after a day.
        for (const u of [...this.uploads.values()]) if (u.repositoryName === name) this.dropUpload(u.id);
        if (!this.dataDir) return;
        const file = this.repositoryFile(name);
        if (fs.existsSync(file)) {
            fs.unlinkSync(file);
            this.fsyncDir(path.dirname(file));
        }
    }

    // ---- registry settings ---------------------------------------------------------------

    /** Persists the registry-level settings (no-op in memory mode). */
    saveRegistry(): void {
        if (!this.dataDir) return;
        this.writeAtomic(path.join(this.dataDir, "registry.json"), JSON.stringify({ version: META_VERSION, registry: this.registry }));
    }

    // ---- blobs --------------------------------------------------------------------------

    hasBlob(digest: string): boolean {
        if (this.blobSizes.has(digest)) return true;
        if (!this.dataDir) return false;
        const file = this.blobFile(digest);
        if (!file || !fs.existsSync(file)) return false;
        this.rememberBlobSize(digest, fs.statSync(file).size);
        return true;
    }

    blobSize(digest: string): number | undefined {
        return this.hasBlob(digest) ? this.blobSizes.get(digest) : undefined;
    }

    readBlob(digest: string): Buffer {
        if (!this.dataDir) {
            const b = this.memoryBlobs.get(digest);
            if (!b) throw new Error(`blob ${digest} is missing`);
            return b;
        }
        return fs.readFileSync(this.blobFile(digest)!);
    }

    /** A stream of the blob's bytes (a file stream with a data directory). */
    blobStream(digest: string): NodeJS.ReadableStream {
        if (!this.dataDir) return Readable.from([this.readBlob(digest)]);
        return fs.createReadStream(this.blobFile(digest)!);
    }

    /** Stores bytes whose digest the caller has verified. Idempotent. */
    putBlob(digest: string, data: Buffer): void {
        if (this.hasBlob(digest)) return;
        if (this.dataDir) this.writeAtomic(this.blobFile(digest)!, data);
        else this.memoryBlobs.set(digest, data);
        this.rememberBlobSize(digest, data.length);
    }

    // ---- uploads ------------------------------------------------------------------------

    createUpload(repositoryName: string, source: "api" | "oci"): UploadSession {
        // Abandoned uploads expire, as they do in ECR, instead of piling up.
        const cutoff = Date.now() - UPLOAD_LIFETIME_MS;
        for (const u of [...this.uploads.values()]) if (u.createdAt < cutoff) this.dropUpload(u.id);
        const id = crypto.randomUUID();
        const state: UploadState = {
            id,
            repositoryName,
            source,
            createdAt: Date.now(),
            size: 0,
            parts: [],
            hash: crypto.createHash("sha256"),
        };
        if (this.dataDir) {
            fs.writeFileSync(this.uploadDataFile(id), Buffer.alloc(0));
            this.saveUploadMeta(state);
        } else {
            state.chunks = [];
        }
        this.uploads.set(id, state);
        return publicUpload(state);
    }

    getUpload(id: string): UploadSession | undefined {
        const u = this.uploads.get(id);
        return u && publicUpload(u);
    }

    /** Appends one part; durable before it returns when there is a data directory. */
    appendUpload(id: string, data: Buffer): UploadSession {
        const u = this.uploads.get(id);
        if (!u) throw new Error(`upload ${id} is missing`);
        if (this.dataDir) {
            const fd = fs.openSync(this.uploadDataFile(id), "a");
            try {
                fs.writeSync(fd, data);
                fs.fsyncSync(fd);
            } finally {
                fs.closeSync(fd);
            }
        } else {
            u.chunks!.push(data);
        }
        u.hash.update(data);
        u.size += data.length;
        u.parts.push(data.length);
        if (this.dataDir) this.saveUploadMeta(u);
        return publicUpload(u);
    }

    /** sha256 digest of everything uploaded so far. */
    uploadDigest(id: string): string {
        const u = this.uploads.get(id);
        if (!u) throw new Error(`upload ${id} is missing`);
        return "sha256:" + u.hash.copy().digest("hex");
    }

    /** Moves a verified upload into the blob store and forgets the session. */
    commitUpload(id: string, digest: string): number {
        const u = this.uploads.get(id);
        if (!u) throw new Error(`upload ${id} is missing`);
        this.uploads.delete(id);
        if (this.hasBlob(digest)) {
            this.discardUploadFiles(id);
            return this.blobSizes.get(digest)!;
        }
        if (this.dataDir) {
            const target = this.blobFile(digest)!;
            fs.renameSync(this.uploadDataFile(id), target);
            this.fsyncDir(path.dirname(target));
            this.discardUploadFiles(id);
        } else {
            this.memoryBlobs.set(digest, Buffer.concat(u.chunks!));
        }
        this.rememberBlobSize(digest, u.size);
        return u.size;
    }

    /**
     * With a data directory the files are the truth and this map only saves a stat: it keeps the most
     * recent `blobSizeCache` entries, so a long-running endpoint does not grow by one entry per
     * blob ever pushed (the load benchmark found that growth).
     */
    private rememberBlobSize(digest: string, size: number): void {
        this.blobSizes.delete(digest);
        this.blobSizes.set(digest, size);
        if (this.dataDir && this.blobSizes.size > this.blobSizeCache) this.blobSizes.delete(this.blobSizes.keys().next().value!);
    }

    dropUpload(id: string): void {
        if (this.uploads.delete(id)) this.discardUploadFiles(id);
    }

    // ---- persistence internals -----------------------------------------------------------

    private repositoryFile(name: string): string {
        const key = crypto.createHash("sha256").update(name).digest("hex").slice(0, 40);
        return path.join(this.dataDir!, "repositories", `${key}.json`);
    }

    private blobFile(digest: string): string | undefined {
        const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
        return m && this.dataDir ? path.join(this.dataDir, "blobs", "sha256", m[1]) : undefined;
    }

    private uploadDataFile(id: string): string {
        return path.join(this.dataDir!, "uploads", `${id}.data`);
    }

    private saveUploadMeta(u: UploadState): void {
        const meta: UploadSession = publicUpload(u);
        this.writeAtomic(path.join(this.dataDir!, "uploads", `${u.id}.json`), JSON.stringify(meta));
    }

    private discardUploadFiles(id: string): void {
        if (!this.dataDir) return;
        for (const f of [this.uploadDataFile(id), path.join(this.dataDir, "uploads", `${id}.json`)]) {
            fs.rmSync(f, { force: true });
        }
    }

    /** Write-temp, fsync, rename, fsync-dir: the file is either fully old or fully new. */
    private writeAtomic(file: string, data: string | Buffer): void {
        const dir = path.dirname(file);
        const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++this.tmpCounter}.tmp`);
        const fd = fs.openSync(tmp, "w");
        try {
            fs.writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(tmp, file);
        this.fsyncDir(dir);
    }

    private fsyncDir(dir: string): void {
        const fd = fs.openSync(dir, "r");
        try {
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
    }

    private loadSecret(): Buffer {
        const file = path.join(this.dataDir!, "secret");
        if (fs.existsSync(file)) {
            const s = fs.readFileSync(file);
            if (s.length === 32) return s;
        }
        const s = crypto.randomBytes(32);
        this.writeAtomic(file, s);
        return s;
    }

    private load(): void {
        const dir = this.dataDir!;
        for (const sub of [".", "repositories", "blobs/sha256", "uploads"]) {
            for (const f of fs.readdirSync(path.join(dir, sub))) {
                // Leftovers of writes that never reached their rename were never acknowledged.
                if (f.endsWith(".tmp")) fs.rmSync(path.join(dir, sub, f), { force: true });
            }
        }
        const registryFile = path.join(dir, "registry.json");
        if (fs.existsSync(registryFile)) {
            const parsed = JSON.parse(fs.readFileSync(registryFile, "utf8")) as { version: number; registry: Partial<RegistryRecord> };
            if (parsed.version !== META_VERSION) throw new Error(`registry.json: unsupported state version ${parsed.version}`);
            this.registry = { ...emptyRegistry(), ...parsed.registry };
        }
        for (const f of fs.readdirSync(path.join(dir, "repositories"))) {
            if (!f.endsWith(".json")) continue;
            const parsed = JSON.parse(fs.readFileSync(path.join(dir, "repositories", f), "utf8")) as {
                version: number;
                repository: RepositoryRecord;
            };
            if (parsed.version !== META_VERSION) throw new Error(`${f}: unsupported state version ${parsed.version}`);
            const repo: Repository = { ...parsed.repository, tagIndex: new Map(), visibleAt: 0 };
            for (const image of Object.values(repo.images)) {
                for (const tag of image.tags) repo.tagIndex.set(tag, image.digest);
            }
            this.repositories.set(repo.name, repo);
        }
        for (const f of fs.readdirSync(path.join(dir, "uploads"))) {
            if (!f.endsWith(".json")) continue;
            const meta = JSON.parse(fs.readFileSync(path.join(dir, "uploads", f), "utf8")) as UploadSession;
            const dataFile = this.uploadDataFile(meta.id);
            if (!fs.existsSync(dataFile)) continue;
            // Bytes appended after the last acknowledged part are cut back off.
            fs.truncateSync(dataFile, meta.size);
            const hash = crypto.createHash("sha256");
            hash.update(fs.readFileSync(dataFile));
            this.uploads.set(meta.id, { ...meta, hash });
        }
    }
}

/**
 * The visible repository `name` of registry `registryId`, or `RepositoryNotFoundException`. Another
 * registry id finds nothing: one endpoint holds one registry, `accountId`'s.
 */
export function lookupRepository(store: Store, accountId: string, name: string, registryId = accountId): Repository {
    const repo = registryId === accountId ? store.visibleRepository(name) : undefined;
    if (!repo) throw repositoryNotFound(name, registryId);
    return repo;
}

function publicUpload(u: UploadState): UploadSession {
    return {
        id: u.id,
        repositoryName: u.repositoryName,
        source: u.source,
        createdAt: u.createdAt,
        size: u.size,
        parts: [...u.parts],
    };
}

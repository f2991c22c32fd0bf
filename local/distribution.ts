/**
 * The registry side, as ECR serves it next to the API: the OCI Distribution API under `/v2/`
 * behind HTTP basic auth (user `AWS`, password from GetAuthorizationToken). Blobs pushed here
 * become layers of the repository (BatchCheckLayerAvailability sees them), manifests pushed here
 * become images (DescribeImages sees them), and the other way round, because both sides work on
 * the one store through the same image rules.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { basicCredentials } from "./auth";
import type { ApiContext } from "./context";
import { EcrException } from "./exceptions";
import { BodyTooLargeError, readBody as readWholeBody } from "./http";
import { createOnPush } from "./operations/creationTemplates";
import { pullThroughCacheMiss, pullThroughCacheRuleFor } from "./operations/pullThroughCache";
import { accountSetting } from "./operations/registry";
import { MEDIA_TYPES, findImage, putImage, referencingIndexes, removeImage, sha256Digest } from "./images";
import { type Repository, lookupRepository } from "./store";
import { OCI_TAG_RE, isSha256Digest } from "./validate";

const MAX_BODY = 4 * 1024 * 1024 * 1024 - 1;
const MAX_MANIFEST = 4 * 1024 * 1024;

class RegistryError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
    }
}

/** Reads a whole request body; too large a body is the OCI `SIZE_INVALID` error. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
    try {
        return await readWholeBody(req, limit);
    } catch (e) {
        if (e instanceof BodyTooLargeError) throw new RegistryError(413, "SIZE_INVALID", e.message);
        throw e;
    }
}

function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body?: Buffer | string): void {
    const data = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(status, {
        "Docker-Distribution-API-Version": "registry/2.0",
        ...(data !== undefined && headers["Content-Length"] === undefined ? { "Content-Length": data.length } : {}),
        ...headers,
    });
    res.end(data);
}

function sendError(res: ServerResponse, e: RegistryError): void {
    const body = JSON.stringify({ errors: [{ code: e.code, message: e.message }] });
    send(res, e.status, { "Content-Type": "application/json; charset=utf-8", ...e.headers }, body);
}

function authenticate(ctx: ApiContext, req: IncomingMessage): void {
    const challenge = { "WWW-Authenticate": `Basic realm="${ctx.config.url}/",service="ecr.amazonaws.com"` };
    const creds = basicCredentials(req.headers);
    if (!creds) throw new RegistryError(401, "UNAUTHORIZED", "Not Authorized", challenge);
    if (creds.user !== "AWS") throw new RegistryError(401, "UNAUTHORIZED", "Not Authorized: the user must be 'AWS'", challenge);
    const verdict = ctx.tokens.checkPassword(creds.password);
    if (verdict === "expired") {
        throw new RegistryError(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.");
    }
    if (verdict !== "ok") throw new RegistryError(401, "UNAUTHORIZED", "Not Authorized", challenge);
}

/**
 * The repository a `/v2/` request names. A missing one is created when the request writes
 * (`push`) and a CREATE_ON_PUSH creation template applies; a manifest read (`pull`) of a missing
 * one under a pull through cache rule answers what ECR answers when the upstream cannot be reached.
 */
function repository(ctx: ApiContext, name: string, access: "pull" | "push" | "other" = "other"): Repository {
    try {
        return lookupRepository(ctx.store, ctx.config.accountId, name);
    } catch (e) {
        if (!(e instanceof EcrException)) throw e;
        if (!ctx.store.repositories.has(name)) {
            const created = access === "push" ? createOnPushChecked(ctx, name) : undefined;
            if (created) return created;
            const rule = access === "pull" ? pullThroughCacheRuleFor(ctx, name) : undefined;
            if (rule) throw new RegistryError(404, "MANIFEST_UNKNOWN", pullThroughCacheMiss(rule));
        }
        throw new RegistryError(
            404,
            "NAME_UNKNOWN",
            `The repository with name '${name}' does not exist in the registry with id '${ctx.config.accountId}'`,
        );
    }
}

/** createOnPush, with a name ECR would refuse reported the OCI way. */
function createOnPushChecked(ctx: ApiContext, name: string): Repository | undefined {
    try {
        return createOnPush(ctx, name);
    } catch (e) {
        if (e instanceof EcrException) throw new RegistryError(400, "NAME_INVALID", e.message);
        throw e;
    }
}

function uploadLocation(name: string, id: string): string {
    return `/v2/${name}/blobs/uploads/${id}`;
}

function linkBlob(ctx: ApiContext, repo: Repository, digest: string, size: number): void {
    if (!repo.layers[digest]) {
        repo.layers[digest] = { size };
        ctx.store.saveRepository(repo);
    }
}

function blobCreated(res: ServerResponse, name: string, digest: string): void {
    send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, "Docker-Content-Digest": digest, "Content-Length": 0 });
}

function uploadAccepted(res: ServerResponse, name: string, id: string, size: number): void {
    send(res, 202, {
        Location: uploadLocation(name, id),
        "Docker-Upload-UUID": id,
        Range: `0-${Math.max(size - 1, 0)}`,
        "Content-Length": 0,
    });
}

/** Finishes an OCI upload: verifies the digest over every byte received, then links the blob. */
function finishUpload(ctx: ApiContext, repo: Repository, id: string, digest: string): number {
    if (!isSha256Digest(digest)) {
        ctx.store.dropUpload(id);
        throw new RegistryError(400, "DIGEST_INVALID", `unsupported digest '${digest}'`);
    }
    const actual = ctx.store.uploadDigest(id);
    if (actual !== digest) {
        ctx.store.dropUpload(id);
        throw new RegistryError(400, "DIGEST_INVALID", `provided digest ${digest} does not match uploaded content ${actual}`);
    }
    const size = ctx.store.commitUpload(id, digest);
    linkBlob(ctx, repo, digest, size);
    return size;
}

async function handleBlobs(
    ctx: ApiContext,
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    rest: string,
    query: URLSearchParams,
): Promise<void> {
    const method = req.method ?? "GET";
    const uploads = /^uploads\/?(.*)$/.exec(rest);
    const repo = repository(ctx, name, uploads && method === "POST" ? "push" : "other");
    if (!uploads) {
        const digest = rest;
        if (method !== "GET" && method !== "HEAD") throw new RegistryError(405, "UNSUPPORTED", `${method} is not supported on blobs`);
        if (!repo.layers[digest] || !ctx.store.hasBlob(digest))
            throw new RegistryError(404, "BLOB_UNKNOWN", `blob ${digest} is unknown to repository ${name}`);
        const headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": ctx.store.blobSize(digest)!,
            "Docker-Content-Digest": digest,
        };
        if (method === "HEAD") return send(res, 200, headers);
        res.writeHead(200, { "Docker-Distribution-API-Version": "registry/2.0", ...headers });
        ctx.store.blobStream(digest).pipe(res);
        return;
    }
    const id = uploads[1];
    if (!id) {
        if (method !== "POST") throw new RegistryError(405, "UNSUPPORTED", `${method} is not supported here`);
        const mount = query.get("mount");
        const from = query.get("from");
        // ECR mounts across repositories only once the registry turns blob mounting on; otherwise
        // the client gets an upload session, as the distribution spec allows, and sends the bytes.
        if (mount && from && accountSetting(ctx, "BLOB_MOUNTING") === "ENABLED") {
            const link = ctx.store.visibleRepository(from)?.layers[mount];
            if (link && ctx.store.hasBlob(mount)) {
                linkBlob(ctx, repo, mount, link.size);
                return blobCreated(res, name, mount);
            }
        }
        const body = await readBody(req, MAX_BODY);
        const digest = query.get("digest");
        const upload = ctx.store.createUpload(repo.name, "oci");
        if (body.length) ctx.store.appendUpload(upload.id, body);
        if (digest) {
            finishUpload(ctx, repo, upload.id, digest);
            return blobCreated(res, name, digest);
        }
        return uploadAccepted(res, name, upload.id, body.length);
    }
    const upload = ctx.store.getUpload(id);
    if (!upload || upload.repositoryName !== repo.name || upload.source !== "oci") {
        throw new RegistryError(404, "BLOB_UPLOAD_UNKNOWN", `upload ${id} is unknown`);
    }
    switch (method) {
        case "GET":
            return send(res, 204, {
                Location: uploadLocation(name, id),
                "Docker-Upload-UUID": id,
                Range: `0-${Math.max(upload.size - 1, 0)}`,
            });
        case "DELETE":
            ctx.store.dropUpload(id);
            return send(res, 204, {});
        case "PATCH": {
            const range = req.headers["content-range"];
            if (range) {
                const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(range);
                if (!m || Number(m[1]) !== upload.size) {
                    throw new RegistryError(416, "BLOB_UPLOAD_INVALID", `Content-Range ${range} does not continue at byte ${upload.size}`, {
                        Location: uploadLocation(name, id),
                        Range: `0-${Math.max(upload.size - 1, 0)}`,
                    });
                }
            }
            const body = await readBody(req, MAX_BODY);
            const after = body.length ? ctx.store.appendUpload(id, body) : upload;
            return uploadAccepted(res, name, id, after.size);
        }
        case "PUT": {
            const digest = query.get("digest");
            if (!digest) throw new RegistryError(400, "DIGEST_INVALID", "the digest query parameter is required");
            const body = await readBody(req, MAX_BODY);
            if (body.length) ctx.store.appendUpload(id, body);
            finishUpload(ctx, repo, id, digest);
            return blobCreated(res, name, digest);
        }
        default:
            throw new RegistryError(405, "UNSUPPORTED", `${method} is not supported on uploads`);
    }
}

const MANIFEST_TYPES: string[] = Object.values(MEDIA_TYPES);

async function handleManifests(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, name: string, ref: string): Promise<void> {
    const method = req.method ?? "GET";
    const repo = repository(ctx, name, method === "PUT" ? "push" : method === "GET" || method === "HEAD" ? "pull" : "other");
    const byDigest = ref.includes(":");
    if (method === "PUT") {
        const body = await readBody(req, MAX_MANIFEST);
        const text = body.toString("utf8");
        if (!Buffer.from(text, "utf8").equals(body)) throw new RegistryError(400, "MANIFEST_INVALID", "manifest is not valid UTF-8");
        const digest = sha256Digest(body);
        if (byDigest && ref !== digest) throw new RegistryError(400, "DIGEST_INVALID", `manifest digest ${digest} does not match ${ref}`);
        if (!byDigest && !OCI_TAG_RE.test(ref)) throw new RegistryError(400, "TAG_INVALID", `invalid tag '${ref}'`);
        const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim();
        try {
            putImage(ctx.store, repo, text, {
                mediaType: MANIFEST_TYPES.includes(contentType) ? contentType : undefined,
                tag: byDigest ? undefined : ref,
                registryId: ctx.config.accountId,
            });
        } catch (e) {
            if (!(e instanceof EcrException)) throw e;
            switch (e.type) {
                case "ImageAlreadyExistsException":
                    break; // pushing the same manifest again is a no-op on the registry side
                case "LayersNotFoundException":
                case "ReferencedImagesNotFoundException":
                    throw new RegistryError(400, "MANIFEST_BLOB_UNKNOWN", e.message);
                case "ImageTagAlreadyExistsException":
                    throw new RegistryError(400, "TAG_INVALID", e.message);
                default:
                    throw new RegistryError(400, "MANIFEST_INVALID", e.message);
            }
        }
        return send(res, 201, { Location: `/v2/${name}/manifests/${digest}`, "Docker-Content-Digest": digest, "Content-Length": 0 });
    }
    const image = findImage(repo, byDigest ? { imageDigest: ref } : { imageTag: ref });
    if (method === "DELETE") {
        if (!byDigest) throw new RegistryError(400, "UNSUPPORTED", "delete manifests by digest");
        if (!image) throw new RegistryError(404, "MANIFEST_UNKNOWN", `manifest ${ref} is unknown`);
        if (referencingIndexes(repo, image.digest).length) {
            throw new RegistryError(400, "DENIED", "Requested image is referenced by a manifest list");
        }
        removeImage(repo, image.digest);
        ctx.store.saveRepository(repo);
        return send(res, 202, { "Content-Length": 0 });
    }
    if (method !== "GET" && method !== "HEAD") throw new RegistryError(405, "UNSUPPORTED", `${method} is not supported on manifests`);
    if (!image) throw new RegistryError(404, "MANIFEST_UNKNOWN", `Requested image not found`);
    const body = Buffer.from(image.manifest, "utf8");
    const headers = { "Content-Type": image.mediaType, "Docker-Content-Digest": image.digest, "Content-Length": body.length };
    if (method === "HEAD") return send(res, 200, headers);
    image.lastPulledAt = Date.now();
    ctx.store.saveRepository(repo);
    return send(res, 200, headers, body);
}

function handleTags(ctx: ApiContext, res: ServerResponse, name: string, query: URLSearchParams): void {
    const repo = repository(ctx, name);
    let tags = [...repo.tagIndex.keys()].sort();
    const last = query.get("last");
    if (last) tags = tags.filter((t) => t > last);
    const nText = query.get("n");
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (nText !== null) {
        const n = Number(nText);
        if (!Number.isInteger(n) || n < 0) throw new RegistryError(400, "PAGINATION_NUMBER_INVALID", `invalid n '${nText}'`);
        if (tags.length > n) {
            tags = tags.slice(0, n);
            headers.Link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1] ?? "")}>; rel="next"`;
        }
    }
    send(res, 200, headers, JSON.stringify({ name, tags }));
}

/** Serves one `/v2/...` request. */
export async function handleRegistry(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
        authenticate(ctx, req);
        const p = decodeURIComponent(url.pathname);
        if (p === "/v2" || p === "/v2/") return send(res, 200, { "Content-Type": "application/json" }, "{}");
        const m = /^\/v2\/(.+?)\/(blobs\/.+|manifests\/[^/]+|tags\/list)$/.exec(p);
        if (!m) throw new RegistryError(404, "NOT_FOUND", `no route for ${p}`);
        const [, name, rest] = m;
        if (rest.startsWith("blobs/")) return await handleBlobs(ctx, req, res, name, rest.slice("blobs/".length), url.searchParams);
        if (rest.startsWith("manifests/")) return await handleManifests(ctx, req, res, name, rest.slice("manifests/".length));
        return handleTags(ctx, res, name, url.searchParams);
    } catch (e) {
        if (e instanceof RegistryError) {
            req.resume();
            return sendError(res, e);
        }
        throw e;
    }
}

/** Serves a URL from GetDownloadUrlForLayer: the layer's exact bytes, without other auth. */
export function handleLayerDownload(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
    const m = /^\/_layers\/([^/]+)\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    const expires = Number(url.searchParams.get("expires"));
    const signature = url.searchParams.get("signature") ?? "";
    const name = m ? decodeURIComponent(m[1]) : "";
    const digest = m ? m[2] : "";
    const repo = ctx.store.repositories.get(name);
    if (!m || !ctx.tokens.checkDownload(name, digest, expires, signature) || !repo?.layers[digest] || !ctx.store.hasBlob(digest)) {
        res.writeHead(403, { "Content-Type": "text/plain" });
        res.end("AccessDenied: the download URL is invalid or has expired\n");
        return;
    }
    const headers = { "Content-Type": "application/octet-stream", "Content-Length": ctx.store.blobSize(digest)! };
    if (req.method === "HEAD") {
        res.writeHead(200, headers);
        res.end();
        return;
    }
    res.writeHead(200, headers);
    ctx.store.blobStream(digest).pipe(res);
}

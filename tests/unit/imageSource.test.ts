/**
 * Reading images from disk without Docker: OCI layouts, OCI archives and docker save tarballs give
 * the digest ECR will compute, and every bad source is refused by `check()` before any AWS call,
 * with a message that names the file and the problem.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as image from "../../provider/images/image";
import { clearHashCache, readImageSource } from "../../provider/images/source";
import { indexTar, resolveMember } from "../../provider/images/tar";
import { noAwsCalls } from "../helpers/noAws";
import { OCI_INDEX, makeDockerArchive, makeOciArchive, makeOciLayout, sha256, writeTar } from "../helpers/ociLayout";

const failures = async (news: object) =>
    ((await image.check({}, { repository: "app", region: "us-east-1", ...news })).failures ?? []) as { property: string; reason: string }[];

describe("Image source", () => {
    let tmp: string;
    let restore: () => void;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-source-"));
        restore = noAwsCalls();
        clearHashCache();
    });
    afterEach(() => {
        restore();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    describe("GIVEN a good source", () => {
        it("an OCI layout gives the manifest's digest and every blob once", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            const img = await readImageSource(l.dir);
            assert.equal(img.digest, l.digest);
            assert.equal(img.digest, sha256(img.manifest));
            assert.equal(img.mediaType, "application/vnd.oci.image.manifest.v1+json");
            assert.deepEqual(img.blobs.map((b) => b.digest).sort(), [l.images[0].configDigest, ...l.images[0].layerDigests].sort());
            assert.deepEqual(img.platforms, ["linux/amd64"]);
            assert.deepEqual(img.children, []);
        });

        it("an OCI archive of the same layout gives the same digest, and its blobs stream from their byte range", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            makeOciArchive(l.dir, path.join(tmp, "oci.tar"));
            const img = await readImageSource(path.join(tmp, "oci.tar"));
            assert.equal(img.kind, "oci-archive");
            assert.equal(img.digest, l.digest);
            for (const b of img.blobs) {
                const chunks: Buffer[] = [];
                for await (const c of (await b.open()) as AsyncIterable<Buffer>) chunks.push(c);
                assert.ok(Buffer.concat(chunks).equals(l.blobs.get(b.digest)!), `blob ${b.digest} reads back byte for byte`);
            }
        });

        it("an index with two platforms pushes both manifests first, then the index itself", async () => {
            const l = makeOciLayout(path.join(tmp, "multi"), { platforms: ["linux/amd64", "linux/arm64/v8"] });
            const img = await readImageSource(l.dir);
            assert.equal(img.digest, l.digest);
            assert.equal(img.mediaType, OCI_INDEX);
            assert.deepEqual(
                img.children.map((c) => c.digest),
                l.images.map((i) => i.digest),
            );
            assert.deepEqual(img.platforms, ["linux/amd64", "linux/arm64/v8"]);
            assert.equal(img.narrowed, false);
            assert.equal(img.blobs.length, 6);
        });

        it("platforms narrows an index to a new one, deterministically, listing only the matches", async () => {
            const l = makeOciLayout(path.join(tmp, "multi"), { platforms: ["linux/amd64", "linux/arm64/v8"] });
            const a = await readImageSource(l.dir, { platforms: ["linux/arm64"] });
            clearHashCache();
            const b = await readImageSource(l.dir, { platforms: ["linux/arm64"] });
            assert.equal(a.digest, b.digest);
            assert.notEqual(a.digest, l.digest);
            assert.equal(a.digest, sha256(a.manifest));
            assert.equal(a.narrowed, true);
            const doc = JSON.parse(a.manifest.toString());
            assert.deepEqual(
                doc.manifests.map((m: { digest: string }) => m.digest),
                [l.images[1].digest],
            );
            assert.deepEqual(
                a.children.map((c) => c.digest),
                [l.images[1].digest],
            );
            assert.equal(a.blobs.length, 3);
            // Every platform asked for: the source's own index, unchanged.
            const all = await readImageSource(l.dir, { platforms: ["linux/amd64", "linux/arm64"] });
            assert.equal(all.digest, l.digest);
        });

        it("sourceRef picks one of several images by ref name", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"), { refName: "v1", extraRef: "v2" });
            assert.equal((await readImageSource(l.dir, { sourceRef: "v1" })).digest, l.digest);
            assert.notEqual((await readImageSource(l.dir, { sourceRef: "v2" })).digest, l.digest);
        });

        it("a legacy docker save tarball becomes a deterministic schema-2 manifest; a symlinked repeated layer resolves", async () => {
            const d = makeDockerArchive(path.join(tmp, "docker.tar"), { repoTags: ["app:1.0", "app:latest"], repeatFirstLayer: true });
            const a = await readImageSource(d.file, { sourceRef: "app:1.0" });
            clearHashCache();
            const b = await readImageSource(d.file);
            assert.equal(a.digest, b.digest);
            assert.equal(a.digest, sha256(a.manifest));
            const doc = JSON.parse(a.manifest.toString());
            assert.equal(doc.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
            assert.equal(doc.config.digest, d.configDigest);
            assert.deepEqual(
                doc.layers.map((x: { digest: string }) => x.digest),
                d.layerDigests,
            );
            assert.equal(a.blobs.length, 3, "config and two distinct layers");
            assert.equal((await readImageSource(d.file, { sourceRef: "docker.io/library/app:latest" })).digest, a.digest);
        });

        it("a newer docker save tarball (an OCI layout plus manifest.json) is read as OCI, picked by repo:tag", async () => {
            const l = makeOciLayout(path.join(tmp, "dsave"), { refName: "v1" });
            const index = JSON.parse(fs.readFileSync(path.join(l.dir, "index.json"), "utf8"));
            index.manifests[0].annotations["io.containerd.image.name"] = "docker.io/library/app:v1";
            fs.writeFileSync(path.join(l.dir, "index.json"), JSON.stringify(index));
            const m = l.images[0];
            const layers = m.layerDigests.map((d) => `blobs/sha256/${d.slice(7)}`);
            fs.writeFileSync(
                path.join(l.dir, "manifest.json"),
                JSON.stringify([{ Config: `blobs/sha256/${m.configDigest.slice(7)}`, RepoTags: ["app:v1"], Layers: layers }]),
            );
            makeOciArchive(l.dir, path.join(tmp, "dsave.tar"));
            const img = await readImageSource(path.join(tmp, "dsave.tar"), { sourceRef: "app:v1" });
            assert.equal(img.kind, "docker-archive");
            assert.equal(img.digest, l.digest, "the manifest Docker wrote, not a rebuilt one");
        });

        it("check() puts the digest in the inputs, so preview shows it; the URI waits for the repository URL", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            const { inputs, failures: f } = await image.check(
                {},
                { repository: "app", region: "us-east-1", source: l.dir, tags: ["1.0"], __provider: "x" },
            );
            assert.deepEqual(f, []);
            assert.equal(inputs.imageDigest, l.digest);
            assert.equal(inputs.imageUri, undefined);
            const again = await image.check(
                { repository: "app", region: "us-east-1", registryId: "000000000000", repositoryUrl: "127.0.0.1:1/app" },
                { repository: "app", region: "us-east-1", source: l.dir },
            );
            assert.equal(again.inputs.imageUri, `127.0.0.1:1/app@${l.digest}`);
        });
    });

    describe("GIVEN a bad source, check() refuses it naming the file and the problem", () => {
        it("a missing path", async () => {
            const f = await failures({ source: path.join(tmp, "nope") });
            assert.equal(f[0].property, "source");
            assert.match(f[0].reason, /nope: no such file or directory/);
        });

        it("a relative path (the SDK resolves it; the provider must not guess)", async () => {
            const f = await failures({ source: "build/app" });
            assert.match(f[0].reason, /absolute path/);
        });

        it("a directory that is not an OCI layout", async () => {
            fs.mkdirSync(path.join(tmp, "empty"));
            const f = await failures({ source: path.join(tmp, "empty") });
            assert.match(f[0].reason, /empty\/oci-layout: missing/);
        });

        it("a corrupt tarball", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            const tar = path.join(tmp, "oci.tar");
            makeOciArchive(l.dir, tar);
            const bytes = fs.readFileSync(tar);
            bytes[600] ^= 0xff; // inside the second header
            bytes.fill(0x41, 512, 1024);
            fs.writeFileSync(tar, bytes);
            const f = await failures({ source: tar });
            assert.equal(f[0].property, "source");
            assert.match(f[0].reason, /oci\.tar: not a valid tar archive at byte 512: header checksum mismatch/);
        });

        it("a truncated tarball", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"), { layers: [100_000] });
            const tar = path.join(tmp, "oci.tar");
            makeOciArchive(l.dir, tar);
            fs.truncateSync(tar, 60_000);
            const f = await failures({ source: tar });
            assert.match(f[0].reason, /truncated/);
        });

        it("a layer whose bytes do not match its digest", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            const layer = l.images[0].layerDigests[1];
            const file = l.blobPath(layer);
            const bytes = fs.readFileSync(file);
            bytes[700] ^= 1;
            fs.writeFileSync(file, bytes);
            const f = await failures({ source: l.dir });
            assert.equal(f[0].property, "source");
            assert.ok(f[0].reason.includes(file), f[0].reason);
            assert.match(f[0].reason, new RegExp(`hash to sha256:[0-9a-f]{64}, not to ${layer}.*layers\\[1\\].*corrupt`));
        });

        it("a layer of the wrong size", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            fs.appendFileSync(l.blobPath(l.images[0].layerDigests[0]), "x");
            const f = await failures({ source: l.dir });
            assert.match(f[0].reason, /bytes, but manifest sha256:[0-9a-f]+ \(layers\[0\]\) declares/);
        });

        it("a manifest that references a missing blob", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"));
            fs.rmSync(l.blobPath(l.images[0].configDigest));
            const f = await failures({ source: l.dir });
            assert.match(
                f[0].reason,
                new RegExp(`${l.images[0].configDigest.slice(7)}: missing; manifest ${l.digest} \\(config\\) references blob`),
            );
        });

        it("a docker layer that does not match the config's diff_ids", async () => {
            const d = makeDockerArchive(path.join(tmp, "docker.tar"));
            const members = await indexTar(d.file);
            const layer = [...members.values()].find((m) => m.name.endsWith("layer.tar"))!;
            const bytes = fs.readFileSync(d.file);
            bytes[layer.offset + 600] ^= 1;
            fs.writeFileSync(d.file, bytes);
            const f = await failures({ source: d.file });
            assert.match(f[0].reason, /layer\.tar\): its bytes hash to .* but the image config .* expects layer 0/);
        });

        it("a sourceRef that is not there, listing what is", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"), { refName: "v1", extraRef: "v2" });
            const f = await failures({ source: l.dir, sourceRef: "v3" });
            assert.equal(f[0].property, "sourceRef");
            assert.match(f[0].reason, /index\.json: no image named "v3"; it holds "v1", "v2"/);
            const d = makeDockerArchive(path.join(tmp, "docker.tar"));
            const g = await failures({ source: d.file, sourceRef: "other:1" });
            assert.match(g[0].reason, /manifest\.json\): no image tagged "other:1"; it holds "app:latest"/);
        });

        it("several images and no sourceRef", async () => {
            const l = makeOciLayout(path.join(tmp, "oci"), { refName: "v1", extraRef: "v2" });
            const f = await failures({ source: l.dir });
            assert.match(f[0].reason, /holds 2 images; set sourceRef/);
        });

        it("an index where platforms matches nothing", async () => {
            const l = makeOciLayout(path.join(tmp, "multi"), { platforms: ["linux/amd64", "linux/arm64"] });
            const f = await failures({ source: l.dir, platforms: ["windows/amd64"] });
            assert.equal(f[0].property, "platforms");
            assert.match(f[0].reason, /matches platforms \["windows\/amd64"\]; it has linux\/amd64, linux\/arm64/);
        });

        it("bad tags and platforms are named by index", async () => {
            const f = await failures({ source: "/x", tags: ["ok", "-bad"], platforms: ["linux"] });
            assert.deepEqual(f.map((x) => x.property).sort(), ["platforms[0]", "tags[1]"]);
        });
    });

    describe("the tar index", () => {
        it("reads pax long names and follows symlinks", async () => {
            const long = `${"d".repeat(90)}/${"f".repeat(60)}.bin`;
            const file = path.join(tmp, "t.tar");
            writeTar(file, [
                { name: long, data: Buffer.from("hello") },
                { name: "link", type: "symlink", linkName: long },
            ]);
            const members = await indexTar(file);
            const m = resolveMember(members, "link")!;
            assert.equal(m.name, long);
            assert.equal(
                fs
                    .readFileSync(file)
                    .subarray(m.offset, m.offset + m.size)
                    .toString(),
                "hello",
            );
        });

        it("reads a tar written by GNU tar (long names) and by the system's tar in pax format", async function () {
            const src = path.join(tmp, "src");
            const long = `${"a".repeat(120)}.txt`;
            fs.mkdirSync(src);
            fs.writeFileSync(path.join(src, long), "x".repeat(1000));
            for (const format of ["gnu", "pax", "ustar"]) {
                const file = path.join(tmp, `${format}.tar`);
                const r = require("node:child_process").spawnSync("tar", [`--format=${format}`, "-cf", file, "-C", src, "."]);
                if (format === "ustar") {
                    // ustar cannot hold a 124-character name without a "/" to split at: tar refuses it.
                    continue;
                }
                assert.equal(r.status, 0, String(r.stderr));
                const m = resolveMember(await indexTar(file), long)!;
                assert.ok(m, `${format}: ${long} found`);
                assert.equal(m.size, 1000);
            }
        });
    });
});

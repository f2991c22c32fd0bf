/**
 * The registry side of the local endpoint: the OCI Distribution API behind basic auth, checked
 * with raw HTTP and with skopeo, a real OCI client, in both directions. What one side writes
 * (skopeo push, API layer upload + PutImage), the other side reads back byte for byte.
 */
import * as assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as c from "@aws-sdk/client-ecr";
import { type LocalEcr, startLocalEcr } from "../../local";
import { Tokens } from "../../local/auth";
import { OCI_LAYER, OCI_MANIFEST, blob, client, pushImage, randomLayer, sha256 } from "../conformance/fixtures";
import { randomName } from "../helpers/names";

function skopeo(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile("skopeo", args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
    });
}

/** Writes an OCI image layout holding one image (a real gzipped tar layer) tagged `tag`. */
function writeOciLayout(dir: string, tag: string): { manifestDigest: string; manifest: Buffer; layer: Buffer; config: Buffer } {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-rootfs-"));
    fs.writeFileSync(path.join(src, "hello.txt"), `hello from ${tag} ${Date.now()}\n`);
    const tarred = spawnSync("tar", ["-cf", "-", "-C", src, "hello.txt"], { maxBuffer: 16 * 1024 * 1024 });
    assert.equal(tarred.status, 0, String(tarred.stderr));
    fs.rmSync(src, { recursive: true, force: true });
    const tar = tarred.stdout;
    const layer = zlib.gzipSync(tar);
    const config = Buffer.from(
        JSON.stringify({
            architecture: "amd64",
            os: "linux",
            config: { Cmd: ["/bin/true"] },
            rootfs: { type: "layers", diff_ids: [sha256(tar)] },
        }),
    );
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
            layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
        }),
    );
    const blobs = path.join(dir, "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    for (const b of [layer, config, manifest]) fs.writeFileSync(path.join(blobs, sha256(b).slice(7)), b);
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fs.writeFileSync(
        path.join(dir, "index.json"),
        JSON.stringify({
            schemaVersion: 2,
            manifests: [
                {
                    mediaType: OCI_MANIFEST,
                    digest: sha256(manifest),
                    size: manifest.length,
                    annotations: { "org.opencontainers.image.ref.name": tag },
                },
            ],
        }),
    );
    return { manifestDigest: sha256(manifest), manifest, layer, config };
}

/** Reads the manifest a skopeo-written OCI layout holds for `tag`. */
function readOciLayout(dir: string): { digest: string; manifest: Buffer; blob(d: string): Buffer } {
    const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    const digest = index.manifests[0].digest;
    const read = (d: string) => fs.readFileSync(path.join(dir, "blobs", "sha256", d.slice(7)));
    return { digest, manifest: read(digest), blob: read };
}

describe("local ECR endpoint: registry side (OCI Distribution)", function () {
    this.timeout(120_000);
    let ecr: LocalEcr;
    let sdk: c.ECRClient;
    let auth: string;
    let password: string;
    let tmp: string;

    beforeEach(async () => {
        ecr = await startLocalEcr();
        sdk = client(ecr.url);
        const token = (await sdk.send(new c.GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
        auth = `Basic ${token}`;
        password = Buffer.from(token, "base64").toString("utf8").slice("AWS:".length);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-local-test-"));
    });
    afterEach(async () => {
        sdk?.destroy();
        await ecr?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const v2 = (p: string, init: RequestInit = {}) =>
        fetch(`${ecr.url}/v2/${p}`, { ...init, headers: { Authorization: auth, ...(init.headers as Record<string, string>) } });

    async function repo(extra: Partial<c.CreateRepositoryCommandInput> = {}): Promise<string> {
        const name = `${randomName("oci")}/app`;
        await sdk.send(new c.CreateRepositoryCommand({ repositoryName: name, ...extra }));
        return name;
    }

    describe("with skopeo", () => {
        before(function () {
            const probe = spawnSync("skopeo", ["--version"], { encoding: "utf8" });
            if (probe.status !== 0) throw new Error("skopeo is not installed: run `make setup` (it installs skopeo with apt-get)");
        });

        it("copies an image in, shows it through the ECR API with the manifest's digest, and copies it back out byte for byte", async () => {
            const name = await repo();
            const src = path.join(tmp, "src");
            const image = writeOciLayout(src, "v1");
            const dest = `docker://${ecr.registryHost}/${name}:v1`;
            const push = await skopeo([
                "copy",
                "--preserve-digests",
                "--dest-tls-verify=false",
                "--dest-creds",
                `AWS:${password}`,
                `oci:${src}:v1`,
                dest,
            ]);
            assert.equal(push.code, 0, push.stderr);

            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
            assert.equal(d.imageDetails![0].imageDigest, image.manifestDigest);
            assert.equal(d.imageDetails![0].imageSizeInBytes, image.layer.length);
            assert.equal(d.imageDetails![0].imageManifestMediaType, OCI_MANIFEST);
            const layers = await sdk.send(
                new c.BatchCheckLayerAvailabilityCommand({
                    repositoryName: name,
                    layerDigests: [sha256(image.layer), sha256(image.config)],
                }),
            );
            assert.equal(layers.layers!.length, 2, "skopeo's blobs are layers of the repository on the API side");

            const out = path.join(tmp, "out");
            const pull = await skopeo([
                "copy",
                "--preserve-digests",
                "--src-tls-verify=false",
                "--src-creds",
                `AWS:${password}`,
                dest,
                `oci:${out}:v1`,
            ]);
            assert.equal(pull.code, 0, pull.stderr);
            const copied = readOciLayout(out);
            assert.equal(copied.digest, image.manifestDigest);
            assert.ok(copied.manifest.equals(image.manifest));
            assert.ok(copied.blob(sha256(image.layer)).equals(image.layer));
            assert.ok(copied.blob(sha256(image.config)).equals(image.config));

            const pulled = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
            assert.ok(pulled.imageDetails![0].lastRecordedPullTime instanceof Date, "a pull is recorded");
        });

        it("pulls with skopeo what was pushed through the ECR layer API and PutImage", async () => {
            const name = await repo();
            const pushed = await pushImage(sdk, name, { tag: "api", layerSize: 7 * 1024 * 1024 });
            const out = path.join(tmp, "out");
            const pull = await skopeo([
                "copy",
                "--preserve-digests",
                "--src-tls-verify=false",
                "--src-creds",
                `AWS:${password}`,
                `docker://${ecr.registryHost}/${name}:api`,
                `oci:${out}:api`,
            ]);
            assert.equal(pull.code, 0, pull.stderr);
            const copied = readOciLayout(out);
            assert.equal(copied.digest, pushed.digest);
            assert.ok(copied.blob(pushed.layers[0].digest).equals(pushed.layers[0].data));
        });

        it("lists tags and refuses a wrong password", async () => {
            const name = await repo();
            await pushImage(sdk, name, { tag: "b" });
            await pushImage(sdk, name, { tag: "a" });
            const list = await skopeo([
                "list-tags",
                "--tls-verify=false",
                "--creds",
                `AWS:${password}`,
                `docker://${ecr.registryHost}/${name}`,
            ]);
            assert.equal(list.code, 0, list.stderr);
            assert.deepEqual((JSON.parse(list.stdout) as { Tags: string[] }).Tags, ["a", "b"]);
            const denied = await skopeo([
                "list-tags",
                "--tls-verify=false",
                "--creds",
                "AWS:wrong",
                `docker://${ecr.registryHost}/${name}`,
            ]);
            assert.notEqual(denied.code, 0);
            assert.match(denied.stderr, /unauthorized|authentication required/i);
        });

        it("creates a missing repository on push with the settings of the CREATE_ON_PUSH template whose prefix is longest", async () => {
            const team = randomName("cop");
            const lifecycle = JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                        action: { type: "expire" },
                    },
                ],
            });
            const policy = JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "pull", Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }],
            });
            await sdk.send(
                new c.CreateRepositoryCreationTemplateCommand({
                    prefix: "ROOT",
                    appliedFor: ["CREATE_ON_PUSH"],
                    imageTagMutability: "MUTABLE",
                }),
            );
            await sdk.send(
                new c.CreateRepositoryCreationTemplateCommand({
                    prefix: team,
                    appliedFor: ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"],
                    imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                    imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }],
                    encryptionConfiguration: { encryptionType: "KMS" },
                    resourceTags: [{ Key: "team", Value: "platform" }],
                    repositoryPolicy: policy,
                    lifecyclePolicy: lifecycle,
                }),
            );
            // A template for another scenario does not apply, however specific its prefix.
            await sdk.send(new c.CreateRepositoryCreationTemplateCommand({ prefix: `${team}/svc`, appliedFor: ["REPLICATION"] }));
            const name = `${team}/svc/app`;
            const src = path.join(tmp, "src");
            const image = writeOciLayout(src, "v1");
            const dest = `docker://${ecr.registryHost}/${name}:v1`;
            const push = await skopeo([
                "copy",
                "--preserve-digests",
                "--dest-tls-verify=false",
                "--dest-creds",
                `AWS:${password}`,
                `oci:${src}:v1`,
                dest,
            ]);
            assert.equal(push.code, 0, push.stderr);

            const repo = (await sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
            assert.equal(repo.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
            assert.deepEqual(repo.imageTagMutabilityExclusionFilters, [{ filterType: "WILDCARD", filter: "latest" }]);
            assert.equal(repo.encryptionConfiguration!.encryptionType, "KMS");
            assert.match(
                repo.encryptionConfiguration!.kmsKey!,
                /^arn:aws:kms:us-east-1:\d{12}:key\//,
                "the AWS managed key, as CreateRepository gives",
            );
            assert.deepEqual((await sdk.send(new c.ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags, [
                { Key: "team", Value: "platform" },
            ]);
            assert.equal((await sdk.send(new c.GetRepositoryPolicyCommand({ repositoryName: name }))).policyText, policy);
            assert.equal((await sdk.send(new c.GetLifecyclePolicyCommand({ repositoryName: name }))).lifecyclePolicyText, lifecycle);
            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }] }));
            assert.equal(d.imageDetails![0].imageDigest, image.manifestDigest);

            const other = `${randomName("elsewhere")}/app`;
            const rooted = await skopeo([
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                `AWS:${password}`,
                `oci:${src}:v1`,
                `docker://${ecr.registryHost}/${other}:v1`,
            ]);
            assert.equal(rooted.code, 0, rooted.stderr);
            const fromRoot = (await sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: [other] }))).repositories![0];
            assert.equal(fromRoot.imageTagMutability, "MUTABLE", "outside every other prefix the ROOT template applies");

            await sdk.send(new c.DeleteRepositoryCreationTemplateCommand({ prefix: "ROOT" }));
            const third = `${randomName("untemplated")}/app`;
            const refused = await skopeo([
                "copy",
                "--dest-tls-verify=false",
                "--dest-creds",
                `AWS:${password}`,
                `oci:${src}:v1`,
                `docker://${ecr.registryHost}/${third}:v1`,
            ]);
            assert.notEqual(refused.code, 0, "without a template a push to a missing repository fails, as before");
            await assert.rejects(sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: [third] })), {
                name: "RepositoryNotFoundException",
            });
        });
    });

    describe("over raw HTTP", () => {
        it("challenges for basic auth and accepts the GetAuthorizationToken password for user AWS only", async () => {
            const anon = await fetch(`${ecr.url}/v2/`);
            assert.equal(anon.status, 401);
            assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic realm=/);
            assert.equal((await v2("")).status, 200);
            const other = await fetch(`${ecr.url}/v2/`, {
                headers: { Authorization: `Basic ${Buffer.from(`root:${password}`).toString("base64")}` },
            });
            assert.equal(other.status, 401);
        });

        it("refuses a password whose 12 hours have run out with 403 DENIED", async () => {
            // A data directory with a known signing key lets the test mint a password that expired.
            const dataDir = path.join(tmp, "data");
            fs.mkdirSync(dataDir);
            const secret = crypto.randomBytes(32);
            fs.writeFileSync(path.join(dataDir, "secret"), secret);
            const own = await startLocalEcr({ dataDir });
            try {
                const basic = (pw: string) => ({ Authorization: `Basic ${Buffer.from(`AWS:${pw}`).toString("base64")}` });
                const tokens = new Tokens(secret);
                const expired = await fetch(`${own.url}/v2/`, { headers: basic(tokens.issuePassword(Date.now() - 1000)) });
                assert.equal(expired.status, 403);
                assert.equal(((await expired.json()) as { errors: { code: string }[] }).errors[0].code, "DENIED");
                assert.equal((await fetch(`${own.url}/v2/`, { headers: basic(tokens.issuePassword(Date.now() + 60_000)) })).status, 200);
                assert.equal(
                    (
                        await fetch(`${own.url}/v2/`, {
                            headers: basic(new Tokens(crypto.randomBytes(32)).issuePassword(Date.now() + 60_000)),
                        })
                    ).status,
                    401,
                );
            } finally {
                await own.stop();
            }
        });

        it("takes a chunked upload, checks Content-Range and the digest, and links the blob for the API side", async () => {
            const name = await repo();
            const data = randomLayer(300_000);
            const start = await v2(`${name}/blobs/uploads/`, { method: "POST" });
            assert.equal(start.status, 202);
            const location = start.headers.get("location")!;
            const patch = (body: Buffer, from: number) =>
                fetch(`${ecr.url}${location}`, {
                    method: "PATCH",
                    headers: {
                        Authorization: auth,
                        "Content-Range": `${from}-${from + body.length - 1}`,
                        "Content-Type": "application/octet-stream",
                    },
                    body,
                });
            const first = await patch(data.data.subarray(0, 100_000), 0);
            assert.equal(first.status, 202);
            assert.equal(first.headers.get("range"), "0-99999");
            assert.equal((await patch(data.data.subarray(100_000, 200_000), 50)).status, 416, "a chunk that does not continue is refused");
            assert.equal((await patch(data.data.subarray(100_000), 100_000)).status, 202);
            const bad = await fetch(`${ecr.url}${location}?digest=${sha256("wrong")}`, { method: "PUT", headers: { Authorization: auth } });
            assert.equal(bad.status, 400);
            assert.equal(((await bad.json()) as { errors: { code: string }[] }).errors[0].code, "DIGEST_INVALID");

            const again = await v2(`${name}/blobs/uploads/`, { method: "POST" });
            const loc2 = again.headers.get("location")!;
            const put = await fetch(`${ecr.url}${loc2}?digest=${data.digest}`, {
                method: "PUT",
                headers: { Authorization: auth },
                body: data.data,
            });
            assert.equal(put.status, 201);
            assert.equal(put.headers.get("docker-content-digest"), data.digest);
            const head = await v2(`${name}/blobs/${data.digest}`, { method: "HEAD" });
            assert.equal(head.status, 200);
            assert.equal(head.headers.get("content-length"), String(data.size));
            const got = Buffer.from(await (await v2(`${name}/blobs/${data.digest}`)).arrayBuffer());
            assert.ok(got.equals(data.data));
            const check = await sdk.send(new c.BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [data.digest] }));
            assert.equal(check.layers![0].layerSize, data.size);
        });

        it("takes a monolithic upload, and a cross-repository mount once the BLOB_MOUNTING account setting is ENABLED", async () => {
            const a = await repo();
            const b = await repo();
            const data = blob(Buffer.from("monolithic blob"), OCI_LAYER);
            const mono = await v2(`${a}/blobs/uploads/?digest=${data.digest}`, { method: "POST", body: data.data });
            assert.equal(mono.status, 201);
            assert.equal((await v2(`${b}/blobs/${data.digest}`, { method: "HEAD" })).status, 404, "blobs are scoped to repositories");
            const declined = await v2(`${b}/blobs/uploads/?mount=${data.digest}&from=${a}`, { method: "POST" });
            assert.equal(declined.status, 202, "with blob mounting DISABLED (the default) a mount request starts an upload instead");
            assert.equal((await v2(`${b}/blobs/${data.digest}`, { method: "HEAD" })).status, 404);
            await sdk.send(new c.PutAccountSettingCommand({ name: "BLOB_MOUNTING", value: "ENABLED" }));
            const mount = await v2(`${b}/blobs/uploads/?mount=${data.digest}&from=${a}`, { method: "POST" });
            assert.equal(mount.status, 201);
            assert.equal((await v2(`${b}/blobs/${data.digest}`, { method: "HEAD" })).status, 200);
        });

        it("serves manifests by tag and digest with Docker-Content-Digest and Content-Type, and tag lists with paging", async () => {
            const name = await repo();
            const pushed = await pushImage(sdk, name, { tag: "v1" });
            await sdk.send(new c.PutImageCommand({ repositoryName: name, imageManifest: pushed.manifest, imageTag: "v2" }));
            for (const ref of ["v1", pushed.digest]) {
                const res = await v2(`${name}/manifests/${ref}`, { headers: { Accept: OCI_MANIFEST } });
                assert.equal(res.status, 200);
                assert.equal(res.headers.get("docker-content-digest"), pushed.digest);
                assert.equal(res.headers.get("content-type"), OCI_MANIFEST);
                assert.equal(await res.text(), pushed.manifest);
            }
            assert.equal((await v2(`${name}/manifests/nope`)).status, 404);
            const page = await v2(`${name}/tags/list?n=1`);
            assert.deepEqual(await page.json(), { name, tags: ["v1"] });
            assert.match(page.headers.get("link") ?? "", /last=v1.*rel="next"/);
        });

        it("writes manifests that the API side sees, under the same rules", async () => {
            const name = await repo({ imageTagMutability: "IMMUTABLE" });
            const a = await pushImage(sdk, name, { tag: "seed" });
            const manifest = a.manifest;
            const put = await v2(`${name}/manifests/v9`, { method: "PUT", headers: { "Content-Type": OCI_MANIFEST }, body: manifest });
            assert.equal(put.status, 201);
            assert.equal(put.headers.get("docker-content-digest"), sha256(manifest));
            const d = await sdk.send(new c.DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "v9" }] }));
            assert.deepEqual(d.imageDetails![0].imageTags!.sort(), ["seed", "v9"]);

            const other = await pushImage(sdk, name, { tag: "other" });
            const moved = await v2(`${name}/manifests/v9`, {
                method: "PUT",
                headers: { "Content-Type": OCI_MANIFEST },
                body: other.manifest,
            });
            assert.equal(moved.status, 400, "an IMMUTABLE tag does not move on the registry side either");
            assert.equal(((await moved.json()) as { errors: { code: string }[] }).errors[0].code, "TAG_INVALID");

            const missing = JSON.stringify({
                ...JSON.parse(manifest),
                layers: [{ mediaType: OCI_LAYER, digest: sha256("never uploaded"), size: 3 }],
            });
            const refused = await v2(`${name}/manifests/v10`, { method: "PUT", headers: { "Content-Type": OCI_MANIFEST }, body: missing });
            assert.equal(refused.status, 400);
            assert.equal(((await refused.json()) as { errors: { code: string }[] }).errors[0].code, "MANIFEST_BLOB_UNKNOWN");
        });

        it("answers NAME_UNKNOWN for a repository that does not exist and no CREATE_ON_PUSH template covers", async () => {
            const res = await v2(`no-such-repo/blobs/uploads/`, { method: "POST" });
            assert.equal(res.status, 404);
            assert.equal(((await res.json()) as { errors: { code: string }[] }).errors[0].code, "NAME_UNKNOWN");
        });

        it("answers a pull under a pull through cache rule as an unreachable upstream, and creates nothing", async () => {
            await sdk.send(new c.CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "quay", upstreamRegistryUrl: "quay.io" }));
            const res = await v2("quay/coreos/etcd/manifests/latest");
            assert.equal(res.status, 404);
            const err = ((await res.json()) as { errors: { code: string; message: string }[] }).errors[0];
            assert.equal(err.code, "MANIFEST_UNKNOWN");
            assert.match(err.message, /upstream registry 'quay\.io'.*offline/);
            await assert.rejects(sdk.send(new c.DescribeRepositoriesCommand({ repositoryNames: ["quay/coreos/etcd"] })), {
                name: "RepositoryNotFoundException",
            });
            const outside = await v2("quayx/coreos/etcd/manifests/latest");
            assert.equal(
                ((await outside.json()) as { errors: { code: string }[] }).errors[0].code,
                "NAME_UNKNOWN",
                "only names under the prefix are cached",
            );
        });
    });
});

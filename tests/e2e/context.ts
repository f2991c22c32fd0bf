/**
 * What every e2e test file shares: one ECR endpoint for the whole run (started on first use,
 * stopped after the last file), an AWS SDK client on it to check what the CLI did, and helpers to
 * read ECR's side.
 */
import {
    CompleteLayerUploadCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    InitiateLayerUploadCommand,
    PutImageCommand,
    Repository,
    UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { useEndpoint } from "../helpers/moto";
import { REPO_ROOT, awsEnv, startEndpoint } from "../helpers/pulumi";

export const REGION = "us-east-1";
export const examplesDir = (name: string) => path.join(REPO_ROOT, "examples", name);
export const fixtureDir = (name: string) => path.join(__dirname, "fixtures", name);

export interface E2eContext {
    url: string;
    kind: "local" | "moto";
    /** Environment for the engine, the providers and the program. */
    env: Record<string, string>;
    ecr: ECRClient;
}

let shared: Promise<E2eContext> | undefined;
let stop: (() => Promise<void>) | undefined;

/** The run's endpoint; the first call starts it. */
export function e2e(): Promise<E2eContext> {
    shared ??= (async () => {
        const ep = await startEndpoint();
        const restore = useEndpoint(ep.url, REGION);
        const ecr = new ECRClient({ endpoint: ep.url, region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        stop = async () => {
            ecr.destroy();
            restore();
            await ep.stop();
        };
        return { url: ep.url, kind: ep.kind, env: awsEnv(ep.url, REGION), ecr };
    })();
    return shared;
}

// Root-level hook: runs once after every e2e file.
after(async () => {
    await stop?.();
});

/** The repository as ECR reports it, or undefined when it does not exist. */
export async function describeRepository(ecr: ECRClient, name: string): Promise<Repository | undefined> {
    try {
        const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        return out.repositories?.[0];
    } catch (e) {
        if ((e as Error).name === "RepositoryNotFoundException") return undefined;
        throw e;
    }
}

const CONFIG_BLOB = Buffer.from("{}");
const CONFIG_DIGEST = `sha256:${createHash("sha256").update(CONFIG_BLOB).digest("hex")}`;

/** A minimal OCI image manifest (an empty config, no layers), distinct per `label`. */
export function imageManifest(label: string): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: CONFIG_DIGEST, size: CONFIG_BLOB.length },
        layers: [],
        annotations: { "org.opencontainers.image.ref.name": label },
    });
}

/**
 * Pushes an image into `repository` under `tag` through the ECR API, as `docker push` would:
 * the config blob first (ECR refuses a manifest whose blobs are missing), then the manifest.
 * Returns the image digest.
 */
export async function putImage(ecr: ECRClient, repository: string, tag: string): Promise<string> {
    try {
        const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: repository }));
        await ecr.send(new UploadLayerPartCommand({ repositoryName: repository, uploadId, partFirstByte: 0, partLastByte: CONFIG_BLOB.length - 1, layerPartBlob: CONFIG_BLOB }));
        await ecr.send(new CompleteLayerUploadCommand({ repositoryName: repository, uploadId, layerDigests: [CONFIG_DIGEST] }));
    } catch (e) {
        // moto has no layer uploads (and does not check blobs); anywhere else PutImage below fails
        // with LayersNotFoundException, so nothing is hidden.
        if (!/not valid JSON|not yet implemented|Deserialization/i.test(String((e as Error).message))) throw e;
    }
    const out = await ecr.send(
        new PutImageCommand({
            repositoryName: repository,
            imageTag: tag,
            imageManifest: imageManifest(`${repository}:${tag}`),
            imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
        }),
    );
    const digest = out.image?.imageId?.imageDigest;
    if (!digest) throw new Error(`PutImage into ${repository} returned no digest`);
    return digest;
}

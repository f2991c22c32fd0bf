/**
 * What every e2e test file shares: one ECR endpoint for the whole run (started on first use,
 * stopped after the last file), an AWS SDK client on it to check what the CLI did, and helpers to
 * read ECR's side.
 */
import { DescribeRepositoriesCommand, ECRClient, Repository } from "@aws-sdk/client-ecr";
import * as path from "node:path";
import { useEndpoint } from "../helpers/moto";
import { REPO_ROOT, awsEnv, startEndpoint } from "../helpers/pulumi";
export { putImage } from "../helpers/pulumi";

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
        const ecr = new ECRClient({
            endpoint: ep.url,
            region: REGION,
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
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

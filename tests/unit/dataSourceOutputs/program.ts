/**
 * Runs under `pulumi.runtime.setMocks` in a process of its own (see dataSourceOutputs.test.ts),
 * against a local ECR endpoint started here on a free loopback port, and prints what the
 * `...Output` data sources produced (values and secretness) as JSON on the last line. It imports
 * `pulumi-ecr` from node_modules with its own package.json, exactly as a user's program does.
 */
import * as pulumi from "@pulumi/pulumi";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { manifestText, seedBlobs, uploadSeedBlobs } from "../../helpers/images";
import { sha256 } from "../../conformance/fixtures";

/** Resolves when the Thing resource is registered; the mock holds it until `release()`. */
let release!: () => void;
const released = new Promise<void>((r) => (release = r));

pulumi.runtime.setMocks(
    {
        newResource: async (args) => {
            if (args.type === "test:index:Thing") await released;
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
    },
    "project",
    "stack",
    false,
);

class Thing extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Thing", name, {});
    }
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply((v) => (r(v), v)));
const secret = (o: pulumi.Output<unknown>) => pulumi.isSecret(o);

(async () => {
    const ecr = await import("pulumi-ecr");
    const { startLocalEcr } = await import("pulumi-ecr/local");
    const local = await startLocalEcr({ port: 0, region: "us-east-1" });
    process.env.AWS_ENDPOINT_URL_ECR = local.url;
    const seed = new ECRClient({ endpoint: local.url, region: "us-east-1" });
    await seed.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    const blobs = seedBlobs("outputs");
    await uploadSeedBlobs(seed, "app", blobs);
    const m1 = manifestText(blobs, "1.0");
    await seed.send(new PutImageCommand({ repositoryName: "app", imageManifest: m1, imageTag: "1.0" }));

    // Registry login: the token fields secret, the rest plain.
    const login = ecr.getAuthorizationTokenOutput();
    const loginSecrecy: Record<string, boolean> = {
        whole: await secret(login),
        viaApply: await secret(login.apply((l) => l.password)),
    };
    for (const k of [
        "authorizationToken",
        "password",
        "dockerConfigJson",
        "userName",
        "proxyEndpoint",
        "expiresAt",
        "region",
        "id",
    ] as const) {
        loginSecrecy[k] = await secret(login[k]);
    }

    // An image by Input arguments; the stack's aws:region (PULUMI_CONFIG) beats AWS_REGION.
    const image = ecr.getImageOutput({ repositoryName: pulumi.output("app"), imageTag: pulumi.output("1.0") });
    const imageSecret = await secret(image);
    const imageValue = await value(image);

    // A secret argument makes the result secret.
    const fromSecretArg = ecr.getImageOutput({ repositoryName: pulumi.secret("app"), imageTag: "1.0" });

    // dependsOn: the read waits until the resource exists; the image it needs is pushed just before that.
    const thing = new Thing("thing");
    const late = ecr.getImageOutput({ repositoryName: "app", imageTag: "late" }, { dependsOn: [thing] });
    const m2 = manifestText(blobs, "late");
    // The same read without dependsOn, started after `late`: once it has been answered, a `late` that ignored dependsOn
    // would have been answered too, and without the image. Only then is the image pushed and the Thing released.
    await value(ecr.getImageOutput({ repositoryName: "app", imageTag: "1.0" }));
    await seed.send(new PutImageCommand({ repositoryName: "app", imageManifest: m2, imageTag: "late" }));
    release();
    const lateValue = await value(late);

    // Layer download URL: secret URL, plain digest.
    const url = ecr.getLayerDownloadUrlOutput({ repositoryName: "app", layerDigest: blobs.layer.digest });

    // A plain-function error inside an Output: the program would fail with the message.
    let missingError = "";
    try {
        await ecr.getImage({ repositoryName: "app", imageTag: "absent" });
    } catch (e) {
        missingError = (e as Error).message;
    }

    const result = {
        loginSecrecy,
        login: { userName: await value(login.userName), proxyEndpoint: await value(login.proxyEndpoint), localUrl: local.url },
        passwordLength: (await value(login.password)).length,
        imageSecret,
        image: { imageDigest: imageValue.imageDigest, region: imageValue.region, imageTags: imageValue.imageTags, expected: sha256(m1) },
        secretArgMakesSecret: await secret(fromSecretArg),
        late: { imageDigest: lateValue.imageDigest, expected: sha256(m2) },
        downloadUrl: { whole: await secret(url), downloadUrl: await secret(url.downloadUrl), layerDigest: await secret(url.layerDigest) },
        missingError,
    };
    seed.destroy();
    await local.stop();
    console.log(JSON.stringify(result));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});

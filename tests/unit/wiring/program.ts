/**
 * Runs under `pulumi.runtime.setMocks` in a process of its own (see sdkWiring.test.ts) and prints
 * what the SDK classes registered, as JSON on the last line. It imports `pulumi-ecr` from
 * node_modules, with its own package.json, exactly as a user's program does.
 */
import * as pulumi from "@pulumi/pulumi";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:${args.name}`, repositoryUrl: `url/${args.name}` } };
        },
        call: () => ({}),
    },
    "project",
    "stack",
    false,
);

(async () => {
    const ecr = await import("pulumi-ecr");
    const repo = new ecr.Repository("app", { imageTagMutability: "IMMUTABLE", forceDelete: true, tags: { team: "a" } });
    const bare = new ecr.Repository("bare");
    new ecr.RepositoryPolicy("app", {
        repository: repo.name,
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }] },
    });
    new ecr.LifecyclePolicy("app", {
        repository: repo.name,
        policy: {
            rules: [
                {
                    rulePriority: 1,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
                    action: { type: "expire" },
                },
            ],
        },
    });
    // The registry half: one of each, so the test sees every type token and stored provider.
    const statement = {
        Sid: "Replicate",
        Effect: "Allow" as const,
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "ecr:ReplicateImage",
        Resource: "*",
    };
    const destinations = [{ region: "eu-west-1", registryId: "111111111111" }];
    new ecr.RegistryPolicy("app", { policy: { Version: "2012-10-17", Statement: [statement] } });
    new ecr.RegistryPolicyStatement("app", { statement });
    new ecr.ReplicationConfiguration("app", { replicationConfiguration: { rules: [{ destinations }] } });
    new ecr.ReplicationRule("app", { destinations, repositoryFilters: [{ filter: "team/" }] });
    new ecr.RegistryScanningConfiguration("app", { scanType: "BASIC" });
    new ecr.PullThroughCacheRule("app", { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" });
    new ecr.RepositoryCreationTemplate("app", { prefix: "team", appliedFors: ["CREATE_ON_PUSH"] });
    new ecr.AccountSetting("app", { name: "BLOB_MOUNTING", value: "ENABLED" });
    new ecr.PullTimeUpdateExclusion("app", { principalArn: "arn:aws:iam::123456789012:role/scanner" });
    const outputs = {
        url: await new Promise((r) => repo.repositoryUrl.apply(r)),
        bareHasOutputs: ["arn", "name", "registryId", "repositoryUrl", "imageTagMutability", "tags", "region"].every((k) =>
            pulumi.Output.isInstance((bare as any)[k]),
        ),
    };
    // Resolves once every registration still in flight (the policies wait on repo.name) has reached the mocks.
    await pulumi.runtime.disconnect();
    console.log(JSON.stringify({ registered, outputs }));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});

/**
 * One ECR repository, who may pull from it, and how many images it keeps.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi up
 *
 * Every setting is stack config (see Pulumi.yaml), so the e2e tests change one thing at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const config = new pulumi.Config();
const pullAccount = "123456789012";

const repo = new ecr.Repository("app", {
    name: config.get("repositoryName") || undefined,
    imageTagMutability: (config.get("imageTagMutability") ?? "MUTABLE") as ecr.ImageTagMutability,
    forceDelete: config.getBoolean("forceDelete") ?? false,
    tags: { team: config.get("team") ?? "platform", "managed-by": "pulumi" },
});

const pullActions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const pushActions = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"];
const actions = config.getBoolean("allowPush") ? [...pullActions, ...pushActions] : pullActions;
const principal = { AWS: `arn:aws:iam::${pullAccount}:root` };

// The same document two ways: compact, or indented with its keys in another order. The provider
// compares policies by meaning, so switching between them must not be a change.
const policy = config.getBoolean("prettyPolicy")
    ? JSON.stringify(
          { Statement: [{ Action: actions, Principal: principal, Effect: "Allow", Sid: "Pull" }], Version: "2012-10-17" },
          null,
          4,
      )
    : JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Pull", Effect: "Allow", Principal: principal, Action: actions }] });

const repositoryPolicy = new ecr.RepositoryPolicy("app", { repository: repo.name, policy });

const lifecyclePolicy = new ecr.LifecyclePolicy("app", {
    repository: repo.name,
    policy: {
        rules: [
            {
                rulePriority: 1,
                description: "keep the newest images",
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: config.getNumber("keepImages") ?? 10 },
                action: { type: "expire" },
            },
        ],
    },
});

export const repositoryName = repo.name;
export const repositoryUrl = repo.repositoryUrl;
export const repositoryArn = repo.arn;
export const policyText = repositoryPolicy.policy;
export const lifecyclePolicyText = lifecyclePolicy.policy;

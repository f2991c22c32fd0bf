/**
 * The demo: an application repository that only this account may push to and another account
 * may pull from, a repository for base images, lifecycle rules that keep both small, and, once
 * an image is pushed, that image read back by tag with its digest and pinned URI.
 *
 * `make demo` runs it offline against a local ECR endpoint. Against AWS, from the repository root:
 *
 *   pulumi stack init dev && pulumi config set aws:region eu-west-1
 *   pulumi up                                  # AWS credentials from the usual places
 *   pulumi config set imageTag v1 && pulumi up # after pushing app:v1
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const config = new pulumi.Config();
const tags = { project: pulumi.getProject(), stack: pulumi.getStack() };

const app = new ecr.Repository("app", {
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    forceDelete: true,
    tags,
});

const baseImages = new ecr.Repository("base-images", {
    imageTagMutability: "MUTABLE",
    forceDelete: true,
    tags,
});

new ecr.RepositoryPolicy("app-pull", {
    repository: app.name,
    policy: {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CrossAccountPull",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            },
        ],
    },
});

const keep = (repository: pulumi.Input<string>, name: string, releases: number) =>
    new ecr.LifecyclePolicy(name, {
        repository,
        policy: {
            rules: [
                {
                    rulePriority: 1,
                    description: "drop untagged images after a day",
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: `keep the last ${releases} images`,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: releases },
                    action: { type: "expire" },
                },
            ],
        },
    });
keep(app.name, "app-retention", 30);
keep(baseImages.name, "base-images-retention", 5);

const imageTag = config.get("imageTag");
const image = imageTag ? ecr.getImageOutput({ repositoryName: app.name, imageTag }) : undefined;

export const appRepositoryUrl = app.repositoryUrl;
export const baseImagesRepositoryUrl = baseImages.repositoryUrl;
export const appImageDigest = image?.imageDigest;
export const appImageUri = image?.imageUri;

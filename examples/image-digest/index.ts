/**
 * Which digest does `<repository>:<tag>` point at? Reads it from ECR, without managing anything,
 * and exports it with the URI that pulls exactly that image however the tag moves later.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set repository app && pulumi config set tag 1.4.2
 *   pulumi up
 *
 * The repository and the image must exist already (push one first).
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const config = new pulumi.Config();
const repositoryName = config.get("repository") ?? "app";
const imageTag = config.get("tag") ?? "latest";

const image = ecr.getImageOutput({ repositoryName, imageTag });
const newest = ecr.getImageOutput({ repositoryName, mostRecent: true });

/** `sha256:…`: what the tag points at now. */
export const digest = image.imageDigest;
/** `<registry>/<repository>@sha256:…`: deploy this, not the tag. */
export const imageUri = image.imageUri;
export const tags = image.imageTags;
export const pushedAt = image.imagePushedAt;
/** The most recently pushed image, and whether the tag points at it. */
export const newestDigest = newest.imageDigest;
export const tagIsNewest = pulumi.all([image.imageDigest, newest.imageDigest]).apply(([a, b]) => a === b);

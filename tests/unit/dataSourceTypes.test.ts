/**
 * Type-level proof that data-source code written for `aws.ecr` in @pulumi/aws moves over by
 * changing the import: its arguments are accepted as they are, and the results carry the fields
 * that code reads, with the same types. ts-node type-checks this file when mocha loads it, so an
 * incompatibility fails the run before any test.
 *
 * Left out on purpose: `aws.ecr.getImages` results list only `imageIds`, whose `imageTag` the aws
 * types declare required although untagged images have none (ours is optional); and
 * `aws.ecr.getRepository` results declare `kmsKey` required, where ours (like the Repository
 * resource's outputs) leaves it out for AES256.
 */
import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type * as ecr from "../../sdk";

type Assignable<From, To> = [From] extends [To] ? true : false;
const yes = <T extends true>(t: T) => t;

// Arguments written for aws.ecr are accepted unchanged (plain and Output forms).
const args = [
    yes<Assignable<aws.ecr.GetImageArgs, ecr.GetImageArgs>>(true),
    yes<Assignable<aws.ecr.GetImageOutputArgs, ecr.GetImageOutputArgs>>(true),
    yes<Assignable<aws.ecr.GetImagesArgs, ecr.GetImagesArgs>>(true),
    yes<Assignable<aws.ecr.GetImagesOutputArgs, ecr.GetImagesOutputArgs>>(true),
    yes<Assignable<aws.ecr.GetRepositoryArgs, ecr.GetRepositoryArgs>>(true),
    yes<Assignable<aws.ecr.GetRepositoryOutputArgs, ecr.GetRepositoryOutputArgs>>(true),
    yes<Assignable<aws.ecr.GetRepositoriesArgs, ecr.GetRepositoriesArgs>>(true),
    yes<Assignable<aws.ecr.GetAuthorizationTokenArgs, ecr.GetAuthorizationTokenArgs>>(true),
    yes<Assignable<aws.ecr.GetAuthorizationTokenOutputArgs, ecr.GetAuthorizationTokenOutputArgs>>(true),
];

// Results have every field aws.ecr's have, with the same types.
const results = [
    yes<Assignable<ecr.GetImageResult, aws.ecr.GetImageResult>>(true),
    yes<Assignable<ecr.GetRepositoriesResult, aws.ecr.GetRepositoriesResult>>(true),
    yes<Assignable<ecr.GetAuthorizationTokenResult, aws.ecr.GetAuthorizationTokenResult>>(true),
    yes<Assignable<pulumi.Output<ecr.GetImageResult>, pulumi.Output<aws.ecr.GetImageResult>>>(true),
];

// The function signatures match too: an aws.ecr function's type is satisfied by ours.
type Fn<A, R> = (args: A, opts?: pulumi.InvokeOptions) => Promise<R>;
const functions = [
    yes<Assignable<typeof ecr.getImage, Fn<aws.ecr.GetImageArgs, aws.ecr.GetImageResult>>>(true),
    yes<Assignable<typeof ecr.getAuthorizationToken, Fn<aws.ecr.GetAuthorizationTokenArgs, aws.ecr.GetAuthorizationTokenResult>>>(true),
];

// And the checks do reject: a made-up selector or a result field of the wrong type is not assignable.
const rejects = [
    yes<Assignable<Assignable<{ repositoryName: string; imageTag: number }, ecr.GetImageArgs>, false>>(true),
    yes<Assignable<Assignable<Omit<ecr.GetImageResult, "imagePushedAt"> & { imagePushedAt: string }, aws.ecr.GetImageResult>, false>>(true),
];

describe("data-source types (checked at compile time)", () => {
    it("accept aws.ecr arguments and give aws.ecr's result fields", () => {
        assert.equal(args.length + results.length + functions.length + rejects.length, 17);
    });
});

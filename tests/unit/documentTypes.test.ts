/**
 * Type-level proof that documents typed with @pulumi/aws pass to our resources unchanged. ts-node
 * type-checks this file when mocha loads it: an incompatibility fails the run before any test.
 */
import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import type * as ecr from "../../sdk";
import type { LifecyclePolicyArgs, RepositoryArgs, RepositoryPolicyArgs } from "../../sdk";

const awsPolicy: aws.iam.PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        { Sid: "Pull", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root"] }, Action: ["ecr:BatchGetImage"] },
        {
            Effect: "Allow",
            Principal: { Service: "codebuild.amazonaws.com" },
            Action: "ecr:GetDownloadUrlForLayer",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
        { Effect: "Deny", Principal: "*", NotAction: ["ecr:BatchGetImage"] },
    ],
};
const awsLifecycle: aws.types.input.ecr.LifecyclePolicyDocument = {
    rules: [
        {
            rulePriority: 1,
            description: "d",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
        },
    ],
};

const policyArgs: RepositoryPolicyArgs = { repository: "app", policy: awsPolicy };
const lifecycleArgs: LifecyclePolicyArgs = { repository: "app", policy: awsLifecycle };
// Args written for aws.ecr.Repository move over by changing the import.
const awsRepoArgs = {
    name: "app",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "alias/ecr" }],
    forceDelete: true,
    tags: { team: "a" },
} satisfies aws.ecr.RepositoryArgs;
const repoArgs: RepositoryArgs = awsRepoArgs;

// @ts-expect-error a statement needs an Effect of "Allow" or "Deny": the types do reject bad documents
const wrong: RepositoryPolicyArgs = { repository: "app", policy: { Version: "2012-10-17", Statement: [{ Effect: "Maybe" }] } };

// The open unions still reject what is not a string at all (they became `any` when the published
// declarations lost OpenString; see tests of the packed package for the .d.ts side).
// @ts-expect-error a number is not an image tag mutability
const mutability: ecr.ImageTagMutability = 42;
// @ts-expect-error a boolean is not an encryption type
const encryption: ecr.EncryptionType = true;
const known: ecr.ImageTagMutability[] = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION", "SOME_FUTURE_VALUE"];
// @ts-expect-error a lifecycle count type is a string
const countType: ecr.LifecyclePolicySelection["countType"] = 7;

describe("policy document types", () => {
    it("accept @pulumi/aws documents and args (checked at compile time)", () => {
        assert.equal(policyArgs.policy, awsPolicy);
        assert.equal(lifecycleArgs.policy, awsLifecycle);
        assert.equal(repoArgs.name, "app");
        assert.ok(wrong);
        assert.deepEqual([mutability, encryption, countType, known.length], [42, true, 7, 5]);
    });
});

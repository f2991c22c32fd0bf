import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/repositoryCreationTemplate";
import type { AppliedForValue } from "../provider/repositoryCreationTemplate";
import type { EncryptionTypeValue, ExclusionFilterTypeValue, ImageTagMutabilityValue } from "../provider/repository";
import type { LifecyclePolicyDocument, OpenString, PolicyDocument } from "./documents";
import type { EncryptionType, ImageTagMutability, ImageTagMutabilityExclusionFilter } from "./repository";

/** What a creation template applies to. */
export type RepositoryCreationTemplateAppliedFor = OpenString<AppliedForValue>;

/** How repositories created from the template are encrypted; names follow `aws.ecr.RepositoryCreationTemplateEncryptionConfiguration`. */
export interface RepositoryCreationTemplateEncryptionConfiguration {
    /** @default "AES256" */
    encryptionType?: pulumi.Input<EncryptionType | undefined>;
    /** KMS key id, alias or ARN; only with `KMS` or `KMS_DSSE`. @default the AWS-managed `aws/ecr` key */
    kmsKey?: pulumi.Input<string | undefined>;
}

/** Arguments of {@link RepositoryCreationTemplate}; names follow `aws.ecr.RepositoryCreationTemplateArgs`. */
export interface RepositoryCreationTemplateArgs {
    /** Repositories created under this prefix get the template (`"ROOT"` for all others). Changing it replaces the template. */
    prefix: pulumi.Input<string>;
    /** One or more of `CREATE_ON_PUSH`, `PULL_THROUGH_CACHE`, `REPLICATION`. */
    appliedFors: pulumi.Input<pulumi.Input<RepositoryCreationTemplateAppliedFor>[]>;
    /** At most 256 characters. @default "" */
    description?: pulumi.Input<string | undefined>;
    /** @default "MUTABLE" */
    imageTagMutability?: pulumi.Input<ImageTagMutability | undefined>;
    /** Required with the `*_WITH_EXCLUSION` mutabilities, refused otherwise. */
    imageTagMutabilityExclusionFilters?: pulumi.Input<pulumi.Input<ImageTagMutabilityExclusionFilter>[] | undefined>;
    /** At most one entry. KMS needs `customRoleArn`. @default [{ encryptionType: "AES256" }] */
    encryptionConfigurations?: pulumi.Input<pulumi.Input<RepositoryCreationTemplateEncryptionConfiguration>[] | undefined>;
    /** A lifecycle policy (JSON text or document, e.g. from {@link getLifecyclePolicyDocument}); validated like LifecyclePolicy, compared by meaning. */
    lifecyclePolicy?: pulumi.Input<string | LifecyclePolicyDocument | undefined>;
    /** A repository policy (JSON text or document); validated like RepositoryPolicy, compared by meaning. */
    repositoryPolicy?: pulumi.Input<string | PolicyDocument | undefined>;
    /** Tags for the created repositories. Needs `customRoleArn`. @default {} */
    resourceTags?: pulumi.Input<Record<string, pulumi.Input<string>> | undefined>;
    /** The role ECR creates repositories as; required with `resourceTags` or KMS encryption. */
    customRoleArn?: pulumi.Input<string | undefined>;
    /** Changing it replaces the template. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * The settings ECR gives the repositories it creates itself under a prefix: on push to a missing
 * repository (CREATE_ON_PUSH), through a pull through cache, or by replication. Everything but the
 * prefix and region updates in place, in one call.
 *
 * @example
 * new ecr.RepositoryCreationTemplate("team", {
 *     prefix: "team",
 *     appliedFors: ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE"],
 *     imageTagMutability: "IMMUTABLE",
 *     lifecyclePolicy: { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } }] },
 * });
 */
export class RepositoryCreationTemplate extends pulumi.dynamic.Resource {
    declare readonly prefix: pulumi.Output<string>;
    /** Sorted. */
    declare readonly appliedFors: pulumi.Output<AppliedForValue[]>;
    declare readonly description: pulumi.Output<string>;
    declare readonly imageTagMutability: pulumi.Output<ImageTagMutabilityValue>;
    declare readonly imageTagMutabilityExclusionFilters: pulumi.Output<{ filter: string; filterType: ExclusionFilterTypeValue }[]>;
    declare readonly encryptionConfigurations: pulumi.Output<{ encryptionType: EncryptionTypeValue; kmsKey?: string }[]>;
    /** Canonical JSON, or "" when not set. */
    declare readonly lifecyclePolicy: pulumi.Output<string>;
    /** Canonical JSON, or "" when not set. */
    declare readonly repositoryPolicy: pulumi.Output<string>;
    declare readonly resourceTags: pulumi.Output<Record<string, string>>;
    declare readonly customRoleArn: pulumi.Output<string>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: RepositoryCreationTemplateArgs, opts?: pulumi.CustomResourceOptions) {
        const outputs = [
            "description",
            "imageTagMutability",
            "imageTagMutabilityExclusionFilters",
            "encryptionConfigurations",
            "lifecyclePolicy",
            "repositoryPolicy",
            "resourceTags",
            "customRoleArn",
            "registryId",
            "region",
        ];
        super(
            provider,
            name,
            { ...Object.fromEntries(outputs.map((k) => [k, undefined])), ...args },
            opts,
            "ecr",
            "RepositoryCreationTemplate",
        );
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/repositoryCreationTemplate";
import type { LifecyclePolicyDocument, OpenString, PolicyDocument } from "./documents";
import type { EncryptionConfiguration, ImageTagMutability, ImageTagMutabilityExclusionFilter } from "./repository";

/** What a creation template applies to. */
export type RepositoryCreationTemplateAppliedFor = OpenString<"CREATE_ON_PUSH" | "PULL_THROUGH_CACHE" | "REPLICATION">;

/** Arguments of {@link RepositoryCreationTemplate}; names follow `aws.ecr.RepositoryCreationTemplateArgs`. */
export interface RepositoryCreationTemplateArgs {
    /** Repositories created under this prefix get the template (`"ROOT"` for all others). Changing it replaces the template. */
    prefix: pulumi.Input<string>;
    /** One or more of `CREATE_ON_PUSH`, `PULL_THROUGH_CACHE`, `REPLICATION`. */
    appliedFors: pulumi.Input<pulumi.Input<RepositoryCreationTemplateAppliedFor>[]>;
    /** At most 256 characters. @default "" */
    description?: pulumi.Input<string>;
    /** @default "MUTABLE" */
    imageTagMutability?: pulumi.Input<ImageTagMutability>;
    /** Required with the `*_WITH_EXCLUSION` mutabilities, refused otherwise. */
    imageTagMutabilityExclusionFilters?: pulumi.Input<pulumi.Input<ImageTagMutabilityExclusionFilter>[]>;
    /** At most one entry. KMS needs `customRoleArn`. @default [{ encryptionType: "AES256" }] */
    encryptionConfigurations?: pulumi.Input<pulumi.Input<EncryptionConfiguration>[]>;
    /** A lifecycle policy (JSON text or document, e.g. from {@link getLifecyclePolicyDocument}); validated like LifecyclePolicy, compared by meaning. */
    lifecyclePolicy?: pulumi.Input<string | LifecyclePolicyDocument>;
    /** A repository policy (JSON text or document); validated like RepositoryPolicy, compared by meaning. */
    repositoryPolicy?: pulumi.Input<string | PolicyDocument>;
    /** Tags for the created repositories. Needs `customRoleArn`. @default {} */
    resourceTags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The role ECR creates repositories as; required with `resourceTags` or KMS encryption. */
    customRoleArn?: pulumi.Input<string>;
    /** Changing it replaces the template. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
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
    declare readonly appliedFors: pulumi.Output<string[]>;
    declare readonly description: pulumi.Output<string>;
    declare readonly imageTagMutability: pulumi.Output<string>;
    declare readonly imageTagMutabilityExclusionFilters: pulumi.Output<{ filter: string; filterType: "WILDCARD" }[]>;
    declare readonly encryptionConfigurations: pulumi.Output<{ encryptionType: "AES256" | "KMS" | "KMS_DSSE"; kmsKey?: string }[]>;
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

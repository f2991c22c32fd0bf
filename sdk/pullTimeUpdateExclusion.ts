import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/pullTimeUpdateExclusion";

/** Arguments of {@link PullTimeUpdateExclusion}; names follow `aws.ecr.PullTimeUpdateExclusionArgs`. */
export interface PullTimeUpdateExclusionArgs {
    /** ARN of the IAM role or user whose pulls must not update images' last-pulled time. Changing it replaces the resource. */
    principalArn: pulumi.Input<string>;
    /** Changing it replaces the resource. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * Excludes a principal (a scanner, a cache warmer) from updating images' last-pulled time, so its
 * pulls do not keep images alive under `sinceImagePulled` lifecycle rules.
 *
 * @example
 * new ecr.PullTimeUpdateExclusion("scanner", { principalArn: scannerRole.arn });
 */
export class PullTimeUpdateExclusion extends pulumi.dynamic.Resource {
    declare readonly principalArn: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: PullTimeUpdateExclusionArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { region: undefined, ...args }, opts, "ecr", "PullTimeUpdateExclusion");
    }
}

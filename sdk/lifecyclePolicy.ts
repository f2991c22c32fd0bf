import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/lifecyclePolicy";
import { LifecyclePolicyDocument } from "./documents";

/** Arguments of {@link LifecyclePolicy}; names follow `aws.ecr.LifecyclePolicyArgs`. */
export interface LifecyclePolicyArgs {
    /** Name of the repository the policy applies to. Changing it replaces the policy. */
    repository: pulumi.Input<string>;
    /** The rules as JSON text or a document (an `aws.ecr.LifecyclePolicyDocument` works too). Validated before any AWS call. */
    policy: pulumi.Input<string | LifecyclePolicyDocument>;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

/**
 * Rules that expire images in one repository.
 *
 * @example
 * new ecr.LifecyclePolicy("keep-10", {
 *     repository: repo.name,
 *     policy: { rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } }] },
 * });
 */
export class LifecyclePolicy extends pulumi.dynamic.Resource {
    /** Name of the repository the lifecycle policy applies to. */
    declare readonly repository: pulumi.Output<string>;
    /** The policy as canonical JSON (sorted keys, no whitespace). */
    declare readonly policy: pulumi.Output<string>;
    /** Account id of the registry that holds the repository. */
    declare readonly registryId: pulumi.Output<string>;
    /** The region the repository lives in. */
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: LifecyclePolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { registryId: undefined, region: undefined, ...args }, opts, "ecr", "LifecyclePolicy");
    }
}

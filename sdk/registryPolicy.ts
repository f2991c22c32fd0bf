import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/registryPolicy";
import { claimRegistryDocument } from "./registryOwnership";
import { PolicyDocument } from "./documents";

/** Arguments of {@link RegistryPolicy}; names follow `aws.ecr.RegistryPolicyArgs`. */
export interface RegistryPolicyArgs {
    /** The registry policy as JSON text or a document (an `aws.iam.PolicyDocument` works too). Compared by meaning. */
    policy: pulumi.Input<string | PolicyDocument>;
    /** Changing it replaces the policy. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * The registry's resource-based policy, as a whole document: who may replicate into the registry,
 * create repositories in it or pull through its caches. For a policy that several stacks share,
 * declare each statement as a {@link RegistryPolicyStatement} instead. This resource refuses to
 * erase statements it did not write (see the README, "Registry singletons shared by stacks").
 *
 * @example
 * new ecr.RegistryPolicy("registry", {
 *     policy: {
 *         Version: "2012-10-17",
 *         Statement: [{ Sid: "Replicate", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" },
 *             Action: ["ecr:CreateRepository", "ecr:ReplicateImage"], Resource: "arn:aws:ecr:us-east-1:444455556666:repository/*" }],
 *     },
 * });
 */
export class RegistryPolicy extends pulumi.dynamic.Resource {
    /** The policy as canonical JSON (sorted keys, no whitespace). */
    declare readonly policy: pulumi.Output<string>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: RegistryPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        claimRegistryDocument("registry policy", "whole", name, args.region);
        super(provider, name, { registryId: undefined, region: undefined, ...args }, opts, "ecr", "RegistryPolicy");
    }
}

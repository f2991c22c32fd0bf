import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/repositoryPolicy";
import { PolicyDocument } from "./documents";

/** Arguments of {@link RepositoryPolicy}; names follow `aws.ecr.RepositoryPolicyArgs`. */
export interface RepositoryPolicyArgs {
    /** Name of the repository the policy applies to. Changing it replaces the policy. */
    repository: pulumi.Input<string>;
    /** The policy as JSON text or a document (an `aws.iam.PolicyDocument` works too). Compared by meaning. */
    policy: pulumi.Input<string | PolicyDocument>;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

/**
 * The resource-based policy of one repository: who may pull, push or manage it.
 *
 * @example
 * new ecr.RepositoryPolicy("pull", {
 *     repository: repo.name,
 *     policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }] },
 * });
 */
export class RepositoryPolicy extends pulumi.dynamic.Resource {
    /** Name of the repository the policy applies to. */
    declare readonly repository: pulumi.Output<string>;
    /** The policy as canonical JSON (sorted keys, no whitespace). */
    declare readonly policy: pulumi.Output<string>;
    /** Account id of the registry that holds the repository. */
    declare readonly registryId: pulumi.Output<string>;
    /** The region the repository lives in. */
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: RepositoryPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { registryId: undefined, region: undefined, ...args }, opts, "ecr", "RepositoryPolicy");
    }
}

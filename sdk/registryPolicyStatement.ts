import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/registryPolicyStatement";
import { claimRegistryDocument } from "./registryOwnership";
import { PolicyStatement } from "./documents";

/** Arguments of {@link RegistryPolicyStatement}. */
export interface RegistryPolicyStatementArgs {
    /**
     * One statement of the registry policy, as an object or JSON text. Its `Sid` (letters and
     * digits) is required: it is the statement's key in the shared policy, and changing it replaces
     * the resource. The rest is compared by meaning and updates in place.
     */
    statement: pulumi.Input<string | PolicyStatement>;
    /** Changing it replaces the statement. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * One statement of the registry's policy, keyed by its `Sid`. Several stacks can each manage
 * their own statements of the one registry policy: every write reads the policy, changes only
 * this Sid's statement, writes it back and reads again to confirm (retrying, a bounded number of
 * times, when another writer raced it). Destroying it removes only its own statement; the last
 * statement to go deletes the policy.
 *
 * @example
 * new ecr.RegistryPolicyStatement("replicate-from-prod", {
 *     statement: { Sid: "ReplicateFromProd", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" },
 *         Action: ["ecr:CreateRepository", "ecr:ReplicateImage"], Resource: "arn:aws:ecr:us-east-1:444455556666:repository/*" },
 * });
 */
export class RegistryPolicyStatement extends pulumi.dynamic.Resource {
    /** The statement's Sid: its key in the registry's policy. */
    declare readonly sid: pulumi.Output<string>;
    /** The statement as canonical JSON (sorted keys, no whitespace). */
    declare readonly statement: pulumi.Output<string>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: RegistryPolicyStatementArgs, opts?: pulumi.CustomResourceOptions) {
        claimRegistryDocument("registry policy", "parts", name, args.region);
        super(
            provider,
            name,
            { sid: undefined, registryId: undefined, region: undefined, ...args },
            opts,
            "ecr",
            "RegistryPolicyStatement",
        );
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/replicationRule";
import { claimRegistryDocument } from "./registryOwnership";
import type { ReplicationFilterTypeValue } from "../provider/replicationConfiguration";
import type { ReplicationDestination, ReplicationRepositoryFilter } from "./replicationConfiguration";

/** Arguments of {@link ReplicationRule}. */
export interface ReplicationRuleArgs {
    /** One to 25 destinations. */
    destinations: pulumi.Input<pulumi.Input<ReplicationDestination>[]>;
    /** At most 100 filters. @default [] (every repository) */
    repositoryFilters?: pulumi.Input<pulumi.Input<ReplicationRepositoryFilter>[] | undefined>;
    /** Changing it replaces the rule. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * One rule of the registry's replication configuration, so that several stacks can each manage
 * their own rules. ECR gives rules no id: a rule is identified by its full content (destinations
 * and filters), and the content last written is kept in state to find it again on update and
 * delete. Every write reads the rule list, changes only this rule, writes it back and reads again
 * to confirm. Destroying it removes only this rule.
 *
 * @example
 * new ecr.ReplicationRule("team-a-to-dr", {
 *     destinations: [{ region: "eu-west-1", registryId: "123456789012" }],
 *     repositoryFilters: [{ filter: "team-a/" }],
 * });
 */
export class ReplicationRule extends pulumi.dynamic.Resource {
    declare readonly destinations: pulumi.Output<{ region: string; registryId: string }[]>;
    declare readonly repositoryFilters: pulumi.Output<{ filter: string; filterType: ReplicationFilterTypeValue }[]>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: ReplicationRuleArgs, opts?: pulumi.CustomResourceOptions) {
        claimRegistryDocument("replication configuration", "parts", name, args.region);
        super(
            provider,
            name,
            { repositoryFilters: undefined, registryId: undefined, region: undefined, ...args },
            opts,
            "ecr",
            "ReplicationRule",
        );
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/replicationConfiguration";
import { claimRegistryDocument } from "./registryOwnership";
import type { ReplicationFilterTypeValue } from "../provider/replicationConfiguration";
import type { OpenString } from "./documents";

/** Where a replication rule copies images: a region of a registry (account). */
export interface ReplicationDestination {
    /** e.g. `"eu-west-1"`. */
    region: pulumi.Input<string>;
    /** The 12-digit account id of the destination registry. */
    registryId: pulumi.Input<string>;
}

/** Which repositories a replication rule copies: those whose name starts with `filter`. */
export interface ReplicationRepositoryFilter {
    /** A repository name prefix, e.g. `"team/"`. */
    filter: pulumi.Input<string>;
    /** @default "PREFIX_MATCH" */
    filterType?: pulumi.Input<OpenString<ReplicationFilterTypeValue> | undefined>;
}

/** One replication rule. */
export interface ReplicationRuleArgsShape {
    /** One to 25 destinations. */
    destinations: pulumi.Input<pulumi.Input<ReplicationDestination>[]>;
    /** At most 100 filters. @default [] (every repository) */
    repositoryFilters?: pulumi.Input<pulumi.Input<ReplicationRepositoryFilter>[] | undefined>;
}

/** Arguments of {@link ReplicationConfiguration}; names follow `aws.ecr.ReplicationConfigurationArgs`. */
export interface ReplicationConfigurationArgs {
    /** The registry's replication rules (at most 10; compared as a set, in any order). */
    replicationConfiguration: pulumi.Input<{ rules: pulumi.Input<pulumi.Input<ReplicationRuleArgsShape>[]> }>;
    /** Changing it replaces the configuration. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/** A replication rule as the resources report it: lists sorted, filter types filled in. */
export interface ReplicationRuleResult {
    destinations: { region: string; registryId: string }[];
    repositoryFilters: { filter: string; filterType: ReplicationFilterTypeValue }[];
}

/**
 * The registry's whole replication configuration. For rules that several stacks share, declare
 * each as a {@link ReplicationRule} instead. ECR has no delete call: destroying this writes back
 * only the rules it did not write (usually none, i.e. no replication). It refuses to erase rules
 * it did not write (see the README, "Registry singletons shared by stacks").
 *
 * @example
 * new ecr.ReplicationConfiguration("dr", {
 *     replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: "123456789012" }], repositoryFilters: [{ filter: "prod/" }] }] },
 * });
 */
export class ReplicationConfiguration extends pulumi.dynamic.Resource {
    declare readonly replicationConfiguration: pulumi.Output<{ rules: ReplicationRuleResult[] }>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: ReplicationConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        claimRegistryDocument("replication configuration", "whole", name, args.region);
        super(provider, name, { registryId: undefined, region: undefined, ...args }, opts, "ecr", "ReplicationConfiguration");
    }
}

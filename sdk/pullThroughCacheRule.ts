import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/pullThroughCacheRule";

/** Arguments of {@link PullThroughCacheRule}; names follow `aws.ecr.PullThroughCacheRuleArgs`. */
export interface PullThroughCacheRuleArgs {
    /** Repositories under this prefix cache the upstream (`"ROOT"` for all). Changing it replaces the rule. */
    ecrRepositoryPrefix: pulumi.Input<string>;
    /** The upstream registry's host, e.g. `"public.ecr.aws"`, `"registry-1.docker.io"`. Changing it replaces the rule. */
    upstreamRegistryUrl: pulumi.Input<string>;
    /**
     * ARN of a Secrets Manager secret named `ecr-pullthroughcache/...` holding the upstream's
     * credentials. Required for Docker Hub, GitHub, GitLab, Azure and Chainguard; refused for the
     * public upstreams and for ECR. Updates in place; removing it replaces the rule.
     */
    credentialArn?: pulumi.Input<string | undefined>;
    /** IAM role ECR assumes to pull from another account's ECR registry. Only for an ECR upstream. */
    customRoleArn?: pulumi.Input<string | undefined>;
    /** For an ECR upstream: which upstream repositories the rule maps. Changing it replaces the rule. @default "ROOT" */
    upstreamRepositoryPrefix?: pulumi.Input<string | undefined>;
    /** Changing it replaces the rule. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * A pull through cache rule: pulling `<registry>/<prefix>/<image>` fetches and caches the image
 * from the upstream registry. Which upstreams need a credential is checked before any AWS call.
 *
 * @example
 * new ecr.PullThroughCacheRule("ecr-public", { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" });
 */
export class PullThroughCacheRule extends pulumi.dynamic.Resource {
    declare readonly ecrRepositoryPrefix: pulumi.Output<string>;
    declare readonly upstreamRegistryUrl: pulumi.Output<string>;
    /** "" when the upstream takes no credential. */
    declare readonly credentialArn: pulumi.Output<string>;
    /** "" when not set. */
    declare readonly customRoleArn: pulumi.Output<string>;
    declare readonly upstreamRepositoryPrefix: pulumi.Output<string>;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: PullThroughCacheRuleArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                credentialArn: undefined,
                customRoleArn: undefined,
                upstreamRepositoryPrefix: undefined,
                registryId: undefined,
                region: undefined,
                ...args,
            },
            opts,
            "ecr",
            "PullThroughCacheRule",
        );
    }
}

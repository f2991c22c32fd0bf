/**
 * One team's share of a registry. The registry has one policy and one replication configuration;
 * this program manages only the team's statement of the policy and the team's replication rule,
 * so one stack per team can share the registry, and destroying a team's stack removes only its
 * parts.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set team alpha
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const config = new pulumi.Config();
const team = config.require("team");
const region = new pulumi.Config("aws").get("region") ?? "us-east-1";
// IAM statement ids are letters and digits: "alpha" → "AlphaReplicate".
const sid = `${team.replace(/[^a-z0-9]/gi, "").replace(/^./, (c) => c.toUpperCase())}Replicate`;

// The team's statement of the registry policy: lets the team's source account replicate into this registry.
const statement = new ecr.RegistryPolicyStatement("replicate-in", {
    statement: {
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${config.get("replicatingAccount") ?? "222222222222"}:root` },
        Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
        Resource: `arn:aws:ecr:${region}:*:repository/${team}/*`,
    },
});

// The team's replication rule: its repositories go to a disaster-recovery region.
const rule = new ecr.ReplicationRule("dr", {
    destinations: [
        { region: config.get("destinationRegion") ?? "eu-west-1", registryId: config.get("destinationAccount") ?? "111111111111" },
    ],
    repositoryFilters: [{ filter: `${team}/`, filterType: "PREFIX_MATCH" }],
});

// Public images cached under the team's prefix: `<registry>/<team>-ecr-public/docker/library/alpine`.
const cache = new ecr.PullThroughCacheRule("ecr-public", {
    ecrRepositoryPrefix: `${team}-ecr-public`,
    upstreamRegistryUrl: "public.ecr.aws",
});

// Repositories ECR creates under the team's prefix (on push, through the cache, by replication).
const lifecycle = ecr.getLifecyclePolicyDocumentOutput({
    rules: [
        {
            priority: 1,
            description: "untagged images go after a while",
            selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: config.getNumber("keepDays") ?? 14,
            },
        },
    ],
});
const template = new ecr.RepositoryCreationTemplate("team", {
    prefix: team,
    appliedFors: ["CREATE_ON_PUSH", "PULL_THROUGH_CACHE", "REPLICATION"],
    description: `repositories of team ${team}`,
    imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
    imageTagMutabilityExclusionFilters: [{ filter: "latest", filterType: "WILDCARD" }],
    lifecyclePolicy: lifecycle.json,
});

export const statementSid = statement.sid;
export const replicationRule = pulumi
    .all([rule.destinations, rule.repositoryFilters])
    .apply(([destinations, repositoryFilters]) => ({ destinations, repositoryFilters }));
export const cachePrefix = cache.ecrRepositoryPrefix;
export const templatePrefix = template.prefix;
export const registryId = statement.registryId;

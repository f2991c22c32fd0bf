/**
 * ECR Pull Through Cache Rule: repositories under a prefix cache images from an upstream registry.
 * Follows `aws.ecr.PullThroughCacheRule`. The credential and role an upstream needs are checked in
 * `check()`, before any AWS call: Docker Hub, GitHub, GitLab, Azure and Chainguard need a Secrets
 * Manager secret (`credentialArn`, named `ecr-pullthroughcache/...`); the public ones take none;
 * another ECR registry is reached through IAM (`customRoleArn`), never a secret.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    CreatePullThroughCacheRuleCommand,
    DeletePullThroughCacheRuleCommand,
    DescribePullThroughCacheRulesCommand,
    ECRClient,
    PullThroughCacheRule as EcrPullThroughCacheRule,
    UpdatePullThroughCacheRuleCommand,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, goneOr, isA, notFound, wrap } from "./errors";
import { answeredARepeat, takeBackIfSame } from "./retry";

import { Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Pull Through Cache Rule";
/** The exceptions that mean "no such rule": read, delete and the data source share them. */
export const PULL_THROUGH_CACHE_RULE_GONE = ["PullThroughCacheRuleNotFoundException"] as const;

/** ECR's repository-prefix rule for pull through cache rules and creation templates (or `ROOT`). */
export const REPOSITORY_PREFIX_PATTERN = /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/;
const CREDENTIAL_ARN_PATTERN = /^arn:aws(-\w+)*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;
export const ROLE_ARN_PATTERN = /^arn:aws(-\w+)*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/;
const ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The upstream registries ECR can cache, and what each needs (ECR user guide, pull through cache). */
export const UPSTREAM_REGISTRIES: readonly { name: string; host: RegExp; example: string; access: "secret" | "none" | "iam" }[] = [
    { name: "Amazon ECR", host: ECR_HOST, example: "123456789012.dkr.ecr.us-east-1.amazonaws.com", access: "iam" },
    { name: "Amazon ECR Public", host: /^public\.ecr\.aws$/, example: "public.ecr.aws", access: "none" },
    { name: "Quay", host: /^quay\.io$/, example: "quay.io", access: "none" },
    { name: "Kubernetes", host: /^registry\.k8s\.io$/, example: "registry.k8s.io", access: "none" },
    { name: "Docker Hub", host: /^registry-1\.docker\.io$/, example: "registry-1.docker.io", access: "secret" },
    { name: "GitHub Container Registry", host: /^ghcr\.io$/, example: "ghcr.io", access: "secret" },
    { name: "GitLab Container Registry", host: /^registry\.gitlab\.com$/, example: "registry.gitlab.com", access: "secret" },
    { name: "Azure Container Registry", host: /^[a-z0-9-]+\.azurecr\.io$/, example: "myregistry.azurecr.io", access: "secret" },
    { name: "Chainguard", host: /^cgr\.dev$/, example: "cgr.dev", access: "secret" },
];

/** Inputs after `check()`. Unset optional strings are "" so that diff compares complete values. */
export interface PullThroughCacheRuleInputs {
    ecrRepositoryPrefix: string;
    upstreamRegistryUrl: string;
    credentialArn: string;
    customRoleArn: string;
    upstreamRepositoryPrefix: string;
    region: string;
}
/** What the resource reports. */
export interface PullThroughCacheRuleOutputs extends PullThroughCacheRuleInputs {
    registryId: string;
}

/** The rule for `prefix`, or NotFoundError. */
export async function findPullThroughCacheRuleByPrefix(client: ECRClient, prefix: string): Promise<EcrPullThroughCacheRule> {
    let out;
    try {
        out = await client.send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: [prefix] }));
    } catch (e) {
        throw goneOr(e, PULL_THROUGH_CACHE_RULE_GONE, KIND, prefix);
    }
    const rule = out.pullThroughCacheRules?.find((r) => r.ecrRepositoryPrefix === prefix);
    if (!rule) throw notFound(KIND, prefix);
    return rule;
}

/** Maps ECR's rule to the resource's state. The data source reuses it. */
export function pullThroughCacheRuleState(r: EcrPullThroughCacheRule, region: string): PullThroughCacheRuleOutputs {
    return {
        ecrRepositoryPrefix: r.ecrRepositoryPrefix ?? "",
        upstreamRegistryUrl: r.upstreamRegistryUrl ?? "",
        credentialArn: r.credentialArn ?? "",
        customRoleArn: r.customRoleArn ?? "",
        upstreamRepositoryPrefix: r.upstreamRepositoryPrefix ?? "ROOT",
        registryId: r.registryId ?? "",
        region,
    };
}

/** Adds a failure unless `value` is a repository prefix (2-30 characters, or ROOT). */
export function checkRepositoryPrefix(f: Failures, property: string, value: unknown, max: number): void {
    if (value === UNKNOWN) return;
    if (typeof value !== "string" || value === "") {
        f.add(property, `is required: a repository name prefix such as "docker-hub" or "team/", or "ROOT" for every repository`);
    } else if (value.length > max || (value.length < 2 && value !== "ROOT") || !REPOSITORY_PREFIX_PATTERN.test(value)) {
        f.add(
            property,
            `must be "ROOT" or a prefix of up to ${max} lower-case letters, digits and . _ - separators with / between parts (e.g. "ecr-public" or "team/"), got ${JSON.stringify(value)}`,
        );
    }
}

const hostOf = (url: string) => url.replace(/^https?:\/\//, "").replace(/\/+$/, "");

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    checkRepositoryPrefix(f, "ecrRepositoryPrefix", n.ecrRepositoryPrefix, 30);
    const url = n.upstreamRegistryUrl;
    const cred = n.credentialArn ?? "";
    const role = n.customRoleArn ?? "";
    const upstreamPrefix = n.upstreamRepositoryPrefix ?? "ROOT";
    let upstream: (typeof UPSTREAM_REGISTRIES)[number] | undefined;
    if (url === undefined || url === "") {
        f.add("upstreamRegistryUrl", 'is required: the upstream registry\'s host, e.g. "public.ecr.aws" or "registry-1.docker.io"');
    } else if (url !== UNKNOWN) {
        upstream = typeof url === "string" ? UPSTREAM_REGISTRIES.find((u) => u.host.test(hostOf(url))) : undefined;
        if (!upstream) {
            f.add(
                "upstreamRegistryUrl",
                `ECR caches only these upstream registries: ${UPSTREAM_REGISTRIES.map((u) => `${u.example} (${u.name})`).join(", ")}; got ${JSON.stringify(url)}`,
            );
        }
    }
    if (cred !== UNKNOWN && cred !== "" && (typeof cred !== "string" || !CREDENTIAL_ARN_PATTERN.test(cred))) {
        f.add(
            "credentialArn",
            `must be the ARN of a Secrets Manager secret whose name starts with "ecr-pullthroughcache/", got ${JSON.stringify(cred)}`,
        );
    }
    if (role !== UNKNOWN && role !== "" && (typeof role !== "string" || !ROLE_ARN_PATTERN.test(role))) {
        f.add(
            "customRoleArn",
            `must be the ARN of an IAM role, e.g. "arn:aws:iam::123456789012:role/ecr-ptc", got ${JSON.stringify(role)}`,
        );
    }
    if (upstream) {
        if (upstream.access === "secret" && cred === "") {
            f.add(
                "credentialArn",
                `is required for ${upstream.name}: store its user name and access token in a Secrets Manager secret named "ecr-pullthroughcache/<name>" and give its ARN`,
            );
        }
        if (upstream.access !== "secret" && cred !== "" && cred !== UNKNOWN) {
            f.add(
                "credentialArn",
                upstream.access === "iam"
                    ? "does not apply to an Amazon ECR upstream, which is reached through IAM; drop it and give `customRoleArn` for another account's registry"
                    : `does not apply to ${upstream.name}, which is public; drop it`,
            );
        }
        if (upstream.access !== "iam" && role !== "" && role !== UNKNOWN) {
            f.add("customRoleArn", `applies only to an Amazon ECR upstream registry; drop it for ${upstream.name}`);
        }
        if (upstream.access !== "iam" && upstreamPrefix !== "ROOT" && upstreamPrefix !== UNKNOWN) {
            f.add("upstreamRepositoryPrefix", `applies only to an Amazon ECR upstream registry; drop it for ${upstream.name}`);
        }
    }
    if (upstreamPrefix !== "ROOT") checkRepositoryPrefix(f, "upstreamRepositoryPrefix", upstreamPrefix, 30);
    const region = await f.regionOrDefault("region", n.region);
    const inputs: PullThroughCacheRuleInputs = {
        ecrRepositoryPrefix: n.ecrRepositoryPrefix,
        upstreamRegistryUrl: url,
        credentialArn: cred,
        customRoleArn: role,
        upstreamRepositoryPrefix: upstreamPrefix,
        region,
    };
    return { inputs, failures: f.list };
}

export async function diff(_id: string, olds: PullThroughCacheRuleOutputs, news: PullThroughCacheRuleInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.ecrRepositoryPrefix !== news.ecrRepositoryPrefix) replaces.push("ecrRepositoryPrefix");
    if (hostOf(olds.upstreamRegistryUrl ?? "") !== hostOf(String(news.upstreamRegistryUrl))) replaces.push("upstreamRegistryUrl");
    if ((olds.upstreamRepositoryPrefix || "ROOT") !== news.upstreamRepositoryPrefix) replaces.push("upstreamRepositoryPrefix");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    // UpdatePullThroughCacheRule sets a credential or role but cannot remove one: removing replaces.
    for (const k of ["credentialArn", "customRoleArn"] as const) {
        if ((olds[k] ?? "") !== "" && news[k] === "") replaces.push(k);
    }
    const updates = (olds.credentialArn ?? "") !== news.credentialArn || (olds.customRoleArn ?? "") !== news.customRoleArn;
    return {
        changes: replaces.length > 0 || updates,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && olds.ecrRepositoryPrefix === news.ecrRepositoryPrefix,
    };
}

/** Hints for the causes whose fix is obvious on this resource. */
const HINTS: Record<string, string> = {
    PullThroughCacheRuleAlreadyExistsException:
        "a rule for this prefix already exists, perhaps managed by another stack; pick another `ecrRepositoryPrefix`",
    SecretNotFoundException: "the secret must exist in the registry's account and region, named `ecr-pullthroughcache/...`",
    UnableToAccessSecretException: "ECR cannot read the secret; check its resource policy and KMS key",
    LimitExceededException: "a registry holds at most 50 pull through cache rules; remove unused ones",
};

async function withHints<T>(action: string, id: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        const name = (e as { name?: string })?.name ?? "";
        throw new EcrError(action, KIND, id, e, HINTS[name]);
    }
}

const orUndefined = (s: string) => (s === "" ? undefined : s);

export async function create(inputs: PullThroughCacheRuleInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const out = await withHints("creating", inputs.ecrRepositoryPrefix, async () => {
        try {
            return await client.send(
                new CreatePullThroughCacheRuleCommand({
                    ecrRepositoryPrefix: inputs.ecrRepositoryPrefix,
                    upstreamRegistryUrl: inputs.upstreamRegistryUrl,
                    credentialArn: orUndefined(inputs.credentialArn),
                    customRoleArn: orUndefined(inputs.customRoleArn),
                    upstreamRepositoryPrefix: inputs.upstreamRepositoryPrefix === "ROOT" ? undefined : inputs.upstreamRepositoryPrefix,
                }),
            );
        } catch (e) {
            // A repeat (the SDK's retry after a lost reply) that meets the rule this create asked for has met its own.
            if (isA(e, "PullThroughCacheRuleAlreadyExistsException") && answeredARepeat(e)) {
                const own = await takeBackIfSame(inputs.ecrRepositoryPrefix, inputs, read, diff);
                if (own) return own;
            }
            throw e;
        }
    });
    if ("outs" in out) return out;
    return { id: inputs.ecrRepositoryPrefix, outs: { ...inputs, registryId: out.registryId ?? "" } };
}

export async function read(id: string, props: Partial<PullThroughCacheRuleOutputs>): Promise<dynamic.ReadResult> {
    const prefix = props.ecrRepositoryPrefix || id;
    const region = await resolveRegion(props.region);
    let rule: EcrPullThroughCacheRule;
    try {
        rule = await wrap("reading", KIND, prefix, () => findPullThroughCacheRuleByPrefix(ecrClient(region), prefix));
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    const outs = pullThroughCacheRuleState(rule, region);
    // Keep the URL as the program spelled it (with or without a scheme) when it names the same host.
    if (props.upstreamRegistryUrl && hostOf(props.upstreamRegistryUrl) === hostOf(outs.upstreamRegistryUrl))
        outs.upstreamRegistryUrl = props.upstreamRegistryUrl;
    return { id: prefix, props: outs };
}

/** One UpdatePullThroughCacheRule call: nothing is ever half-applied. */
export async function update(
    _id: string,
    olds: PullThroughCacheRuleOutputs,
    news: PullThroughCacheRuleInputs,
): Promise<dynamic.UpdateResult> {
    await withHints("updating", news.ecrRepositoryPrefix, () =>
        ecrClient(news.region).send(
            new UpdatePullThroughCacheRuleCommand({
                ecrRepositoryPrefix: news.ecrRepositoryPrefix,
                credentialArn: orUndefined(news.credentialArn),
                customRoleArn: orUndefined(news.customRoleArn),
            }),
        ),
    );
    return { outs: { ...news, registryId: olds.registryId } };
}

export async function remove(id: string, props: PullThroughCacheRuleOutputs): Promise<void> {
    const prefix = props.ecrRepositoryPrefix || id;
    try {
        await ecrClient(props.region).send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: prefix }));
    } catch (e) {
        if (isA(e, ...PULL_THROUGH_CACHE_RULE_GONE)) return;
        throw new EcrError("deleting", KIND, prefix, e);
    }
}

// This module's exports are the dynamic provider for `PullThroughCacheRule` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

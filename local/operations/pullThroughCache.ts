/**
 * Pull through cache rules: which upstream registry a repository prefix caches, with the
 * credentials and role ECR needs for it. The rules are kept and checked as ECR checks them; the
 * endpoint is offline, so no image is ever fetched from upstream (see `pullThroughCacheMiss`).
 */
import { EcrException, invalidParameter } from "../exceptions";
import type { PullThroughCacheRuleRecord } from "../registryRecords";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type Operation, type OperationTable, paginate, registryIdOf, seconds } from "./common";

/** Pull through cache rules per registry (ECR's quota, not adjustable). */
const MAX_RULES = 50;
const PREFIX_PATTERN = "^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$";
const PREFIX_RE = new RegExp(PREFIX_PATTERN);
const CREDENTIAL_ARN_RE = /^arn:aws(-\w+)*:secretsmanager:([a-zA-Z0-9-]+):([0-9]{12}):secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;
const ROLE_ARN_RE = /^arn:aws(-\w+)*:iam::([0-9]{12}):role\/[\w+=,.@/-]+$/;
const ECR_HOST_RE = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The upstream registries ECR supports, how each is recognised, and whether it needs a secret. */
const UPSTREAMS: { name: string; host: RegExp; needsCredentials: boolean }[] = [
    { name: "ecr", host: ECR_HOST_RE, needsCredentials: false },
    { name: "ecr-public", host: /^public\.ecr\.aws$/, needsCredentials: false },
    { name: "quay", host: /^quay\.io$/, needsCredentials: false },
    { name: "k8s", host: /^registry\.k8s\.io$/, needsCredentials: false },
    { name: "docker-hub", host: /^registry-1\.docker\.io$/, needsCredentials: true },
    { name: "github-container-registry", host: /^ghcr\.io$/, needsCredentials: true },
    { name: "gitlab-container-registry", host: /^registry\.gitlab\.com$/, needsCredentials: true },
    { name: "azure-container-registry", host: /^[a-z0-9-]+\.azurecr\.io$/, needsCredentials: true },
    { name: "chainguard", host: /^cgr\.dev$/, needsCredentials: true },
];

/** Length limits of the two prefix kinds: pull through cache rules (2-30) and creation templates (1-256). */
export const RULE_PREFIX = { min: 2, max: 30 };
export const TEMPLATE_PREFIX = { min: 1, max: 256 };

/** A prefix (`value` of member `field`) as ECR keys it: the pattern checked, the implied trailing `/` dropped. */
export function repositoryPrefix(value: unknown, field: string, limits: { min: number; max: number }): string {
    if (value === undefined || value === null) throw invalidParameter(field, "Member must not be null");
    if (typeof value !== "string") throw invalidParameter(field, "Member must be a string");
    if (value.length < limits.min || value.length > limits.max) {
        throw invalidParameter(field, `Member must have length between ${limits.min} and ${limits.max}`);
    }
    if (!PREFIX_RE.test(value)) throw invalidParameter(field, `must satisfy regular expression '${PREFIX_PATTERN}'`);
    return value.replace(/\/$/, "");
}

/** True when repository `name` falls under `prefix` (ROOT holds every name). */
export function underPrefix(name: string, prefix: string): boolean {
    return prefix === "ROOT" || name.startsWith(`${prefix}/`);
}

function ruleNotFound(ctx: ApiContext, prefix: string): EcrException {
    return new EcrException(
        "PullThroughCacheRuleNotFoundException",
        `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${ctx.config.accountId}'`,
    );
}

function existingRule(ctx: ApiContext, input: Json): PullThroughCacheRuleRecord {
    const registryId = registryIdOf(ctx, input);
    const prefix = repositoryPrefix(input.ecrRepositoryPrefix, "ecrRepositoryPrefix", RULE_PREFIX);
    const rule = ctx.store.registry.pullThroughCacheRules[prefix];
    if (!rule || registryId !== ctx.config.accountId) throw ruleNotFound(ctx, prefix);
    return rule;
}

function ruleView(ctx: ApiContext, r: PullThroughCacheRuleRecord): Json {
    const out: Json = {
        ecrRepositoryPrefix: r.ecrRepositoryPrefix,
        upstreamRegistryUrl: r.upstreamRegistryUrl,
        createdAt: seconds(r.createdAt),
        registryId: ctx.config.accountId,
        upstreamRegistry: r.upstreamRegistry,
        upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
        updatedAt: seconds(r.updatedAt),
    };
    if (r.credentialArn !== undefined) out.credentialArn = r.credentialArn;
    if (r.customRoleArn !== undefined) out.customRoleArn = r.customRoleArn;
    return out;
}

/**
 * The credential and role a rule for `upstream` needs: a Secrets Manager secret named
 * `ecr-pullthroughcache/...` in this account and region for the registries that require
 * authentication, none for the public ones; a role in this account for another account's ECR.
 */
function checkAccess(ctx: ApiContext, upstream: string, upstreamUrl: string, credentialArn?: string, customRoleArn?: string): void {
    const kind = UPSTREAMS.find((u) => u.name === upstream)!;
    if (credentialArn !== undefined) {
        const m = CREDENTIAL_ARN_RE.exec(credentialArn);
        if (credentialArn.length < 50 || credentialArn.length > 612 || !m) {
            throw invalidParameter(
                "credentialArn",
                "Member must have length between 50 and 612 and satisfy regular expression '^arn:aws(-\\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$'",
            );
        }
        if (!kind.needsCredentials) {
            throw invalidParameter(
                "credentialArn",
                `The upstream registry '${upstreamUrl}' does not take credentials; leave credentialArn out`,
            );
        }
        if (m[2] !== ctx.config.region || m[3] !== ctx.config.accountId) {
            throw new EcrException(
                "SecretNotFoundException",
                `The secret '${credentialArn}' must be in the account and Region of the registry (${ctx.config.accountId}, ${ctx.config.region})`,
            );
        }
    } else if (kind.needsCredentials) {
        throw invalidParameter(
            "credentialArn",
            `The upstream registry '${upstreamUrl}' requires authentication; give the ARN of a Secrets Manager secret named 'ecr-pullthroughcache/...'`,
        );
    }
    if (customRoleArn !== undefined) {
        const m = ROLE_ARN_RE.exec(customRoleArn);
        if (customRoleArn.length > 2048 || !m) throw invalidParameter("customRoleArn", "Member must be the ARN of an IAM role");
        if (upstream !== "ecr")
            throw invalidParameter("customRoleArn", "customRoleArn is only supported for an Amazon ECR upstream registry");
        if (m[2] !== ctx.config.accountId) {
            throw invalidParameter("customRoleArn", "The role must be in the same account as the registry that you are configuring");
        }
    } else if (upstream === "ecr" && ECR_HOST_RE.exec(upstreamUrl)![1] !== ctx.config.accountId) {
        throw invalidParameter(
            "customRoleArn",
            "An upstream Amazon ECR registry in another account requires customRoleArn, a role ECR assumes to pull",
        );
    }
}

const CreatePullThroughCacheRule: Operation = (ctx, input) => {
    const registryId = registryIdOf(ctx, input);
    const prefix = repositoryPrefix(input.ecrRepositoryPrefix, "ecrRepositoryPrefix", RULE_PREFIX);
    const url = v.requireString(input, "upstreamRegistryUrl");
    const host = url.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    const kind = UPSTREAMS.find((u) => u.host.test(host));
    if (!kind) {
        throw new EcrException(
            "UnsupportedUpstreamRegistryException",
            `The upstream registry '${url}' is not supported for pull through cache rules`,
        );
    }
    const named = v.optionalString(input, "upstreamRegistry");
    if (named !== undefined && !UPSTREAMS.some((u) => u.name === named)) {
        throw invalidParameter("upstreamRegistry", `Member must satisfy enum value set: [${UPSTREAMS.map((u) => u.name).join(", ")}]`);
    }
    if (named !== undefined && named !== kind.name) {
        throw invalidParameter(
            "upstreamRegistry",
            `upstreamRegistry '${named}' does not match upstreamRegistryUrl '${url}' (${kind.name})`,
        );
    }
    const credentialArn = v.optionalString(input, "credentialArn");
    const customRoleArn = v.optionalString(input, "customRoleArn");
    const upstreamPrefix =
        input.upstreamRepositoryPrefix === undefined
            ? "ROOT"
            : repositoryPrefix(input.upstreamRepositoryPrefix, "upstreamRepositoryPrefix", RULE_PREFIX);
    checkAccess(ctx, kind.name, host, credentialArn, customRoleArn);
    if (registryId !== ctx.config.accountId) {
        throw invalidParameter("registryId", "Pull through cache rules can only be created in your own registry");
    }
    const rules = ctx.store.registry.pullThroughCacheRules;
    if (rules[prefix]) {
        throw new EcrException(
            "PullThroughCacheRuleAlreadyExistsException",
            `A pull through cache rule with prefix '${prefix}' already exists in the registry with id '${ctx.config.accountId}'`,
        );
    }
    if (Object.keys(rules).length >= MAX_RULES) {
        throw new EcrException("LimitExceededException", `A registry can have at most ${MAX_RULES} pull through cache rules`);
    }
    const now = Date.now();
    const rule: PullThroughCacheRuleRecord = {
        ecrRepositoryPrefix: prefix,
        upstreamRegistryUrl: url,
        upstreamRegistry: kind.name,
        upstreamRepositoryPrefix: upstreamPrefix,
        createdAt: now,
        updatedAt: now,
    };
    if (credentialArn !== undefined) rule.credentialArn = credentialArn;
    if (customRoleArn !== undefined) rule.customRoleArn = customRoleArn;
    rules[prefix] = rule;
    ctx.store.saveRegistry();
    const { updatedAt: _u, ...created } = ruleView(ctx, rule);
    return created;
};

const DescribePullThroughCacheRules: Operation = (ctx, input) => {
    const registryId = registryIdOf(ctx, input);
    const limit = v.maxResults(input, 1000);
    const wanted = v
        .optionalArray(input, "ecrRepositoryPrefixes", 1, 100)
        ?.map((p, i) => repositoryPrefix(p, `ecrRepositoryPrefixes.${i + 1}`, RULE_PREFIX));
    const all = registryId === ctx.config.accountId ? ctx.store.registry.pullThroughCacheRules : {};
    let rules = Object.values(all);
    if (wanted) {
        const missing = wanted.find((p) => !all[p]);
        if (missing !== undefined) throw ruleNotFound(ctx, missing);
        rules = rules.filter((r) => wanted.includes(r.ecrRepositoryPrefix));
    }
    const { page, nextToken } = paginate(rules, (r) => r.ecrRepositoryPrefix, input, "DescribePullThroughCacheRules", "", limit);
    const out: Json = { pullThroughCacheRules: page.map((r) => ruleView(ctx, r)) };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

const UpdatePullThroughCacheRule: Operation = (ctx, input) => {
    const credentialArn = v.optionalString(input, "credentialArn");
    const customRoleArn = v.optionalString(input, "customRoleArn");
    const rule = existingRule(ctx, input);
    const host = rule.upstreamRegistryUrl.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    checkAccess(ctx, rule.upstreamRegistry, host, credentialArn ?? rule.credentialArn, customRoleArn ?? rule.customRoleArn);
    if (credentialArn !== undefined) rule.credentialArn = credentialArn;
    if (customRoleArn !== undefined) rule.customRoleArn = customRoleArn;
    rule.updatedAt = Date.now();
    ctx.store.saveRegistry();
    const out: Json = {
        ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
        registryId: ctx.config.accountId,
        updatedAt: seconds(rule.updatedAt),
        upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix,
    };
    if (rule.credentialArn !== undefined) out.credentialArn = rule.credentialArn;
    if (rule.customRoleArn !== undefined) out.customRoleArn = rule.customRoleArn;
    return out;
};

const DeletePullThroughCacheRule: Operation = (ctx, input) => {
    const rule = existingRule(ctx, input);
    delete ctx.store.registry.pullThroughCacheRules[rule.ecrRepositoryPrefix];
    ctx.store.saveRegistry();
    const { upstreamRegistry: _r, updatedAt: _u, ...deleted } = ruleView(ctx, rule);
    return deleted;
};

/** Why no upstream can be validated or pulled from here. */
function offlineFailure(rule: PullThroughCacheRuleRecord): string {
    return `Unable to reach the upstream registry '${rule.upstreamRegistryUrl}': ecr-local runs offline and never contacts upstream registries`;
}

const ValidatePullThroughCacheRule: Operation = (ctx, input) => {
    const rule = existingRule(ctx, input);
    const { createdAt: _c, updatedAt: _u, upstreamRegistry: _r, ...view } = ruleView(ctx, rule);
    return { ...view, isValid: false, failure: offlineFailure(rule) };
};

/**
 * The rule whose prefix repository `name` falls under (the longest one wins), if any: a pull of a
 * missing repository there would go to the upstream registry in ECR.
 */
export function pullThroughCacheRuleFor(ctx: ApiContext, name: string): PullThroughCacheRuleRecord | undefined {
    return Object.values(ctx.store.registry.pullThroughCacheRules)
        .filter((r) => underPrefix(name, r.ecrRepositoryPrefix))
        .sort((a, b) =>
            a.ecrRepositoryPrefix === "ROOT"
                ? -1
                : b.ecrRepositoryPrefix === "ROOT"
                  ? 1
                  : a.ecrRepositoryPrefix.length - b.ecrRepositoryPrefix.length,
        )
        .pop();
}

/** What a pull through a rule answers here: ECR's answer when the upstream cannot be reached. */
export function pullThroughCacheMiss(rule: PullThroughCacheRuleRecord): string {
    return `Unable to get the upstream image: ${offlineFailure(rule)}`;
}

/** The pull through cache operations, by the name in `X-Amz-Target`. */
export const pullThroughCacheOperations: OperationTable = {
    CreatePullThroughCacheRule,
    DescribePullThroughCacheRules,
    UpdatePullThroughCacheRule,
    DeletePullThroughCacheRule,
    ValidatePullThroughCacheRule,
};

/**
 * Registry-wide settings: the registry policy, the replication configuration (DescribeRegistry),
 * the registry scanning configuration, account settings and pull-time update exclusions. One
 * registry per endpoint, so none of these take a registry id beyond the request's own.
 */
import { EcrException, invalidParameter } from "../exceptions";
import { checkIamPolicyDocument } from "../policyValidation";
import * as v from "../validate";
import type { Json } from "../validate";
import { type ApiContext, type OperationTable, type Operation, paginate, seconds } from "./common";

/** At most this many unique destinations across all replication rules (ECR's documented limit). */
const MAX_REPLICATION_DESTINATIONS = 25;
const REPLICATION_FILTER_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;
const SCANNING_FILTER_RE = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
/** Scan frequencies a rule may name, per scan type (the reference; MANUAL is what "no rule" means). */
const SCAN_FREQUENCIES: Record<string, string[]> = { BASIC: ["SCAN_ON_PUSH"], ENHANCED: ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"] };
const PRINCIPAL_ARN_RE = /^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)\/[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

/**
 * Account settings: the values PutAccountSetting takes and what GetAccountSetting answers before
 * any Put. New registries get the extended (V2) registry policy scope and AWS-native basic scanning.
 */
export const ACCOUNT_SETTINGS: Record<string, { values: string[]; default: string }> = {
    BASIC_SCAN_TYPE_VERSION: { values: ["AWS_NATIVE"], default: "AWS_NATIVE" },
    REGISTRY_POLICY_SCOPE: { values: ["V1", "V2"], default: "V2" },
    BLOB_MOUNTING: { values: ["ENABLED", "DISABLED"], default: "DISABLED" },
};

/** The actions a registry policy may grant under scope V1; V2 takes any `ecr:` action. */
const V1_REGISTRY_ACTIONS = ["ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"];

/** The value of an account setting, explicit or default. */
export function accountSetting(ctx: ApiContext, name: string): string {
    return ctx.store.registry.accountSettings[name] ?? ACCOUNT_SETTINGS[name].default;
}

function registryPolicyNotFound(registryId: string): EcrException {
    return new EcrException("RegistryPolicyNotFoundException", `Registry policy does not exist in the registry with id '${registryId}'`);
}

/** A registry policy is an IAM document whose actions are ECR actions the policy scope enforces. */
function checkRegistryPolicy(text: string, scope: string): void {
    checkIamPolicyDocument(text, "PolicyText", "registry policy");
    const doc = JSON.parse(text) as Json;
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Json[];
    for (const st of statements) {
        const raw = st.Action ?? st.NotAction;
        const actions = Array.isArray(raw) ? raw : [raw];
        for (const a of actions) {
            const ok =
                typeof a === "string" &&
                (scope === "V1" ? V1_REGISTRY_ACTIONS.some((x) => x.toLowerCase() === a.toLowerCase()) : /^ecr:[A-Za-z*?]+$/i.test(a));
            if (!ok) throw invalidParameter("PolicyText", "Invalid registry policy provided");
        }
    }
}

const PutRegistryPolicy: Operation = (ctx, input) => {
    const text = v.requireString(input, "policyText");
    if (text.length > 10240) throw invalidParameter("policyText", "Member must have length less than or equal to 10240");
    checkRegistryPolicy(text, accountSetting(ctx, "REGISTRY_POLICY_SCOPE"));
    ctx.store.registry.policyText = text;
    ctx.store.saveRegistry();
    return { registryId: ctx.config.accountId, policyText: text };
};

const GetRegistryPolicy: Operation = (ctx) => {
    const text = ctx.store.registry.policyText;
    if (text === undefined) throw registryPolicyNotFound(ctx.config.accountId);
    return { registryId: ctx.config.accountId, policyText: text };
};

const DeleteRegistryPolicy: Operation = (ctx) => {
    const text = ctx.store.registry.policyText;
    if (text === undefined) throw registryPolicyNotFound(ctx.config.accountId);
    delete ctx.store.registry.policyText;
    ctx.store.saveRegistry();
    return { registryId: ctx.config.accountId, policyText: text };
};

const DescribeRegistry: Operation = (ctx) => ({
    registryId: ctx.config.accountId,
    replicationConfiguration: { rules: structuredClone(ctx.store.registry.replicationRules) },
});

function structure(value: unknown, field: string): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidParameter(field, "Member must be a structure");
    return value as Json;
}

/** One replication rule, checked against the reference and returned in canonical member order. */
function replicationRule(ctx: ApiContext, raw: unknown, i: number): Json {
    const field = `replicationConfiguration.rules.${i + 1}`;
    const rule = structure(raw, field);
    const destinations = v.requireArray(rule, "destinations", 1, 100).map((d, j) => {
        const dest = structure(d, `${field}.destinations.${j + 1}`);
        const region = v.requireString(dest, "region");
        const registryId = v.requireString(dest, "registryId");
        if (!/^[0-9a-z-]{2,25}$/.test(region)) {
            throw invalidParameter(`${field}.destinations.${j + 1}.region`, "must satisfy regular expression '[0-9a-z-]{2,25}'");
        }
        if (!/^[0-9]{12}$/.test(registryId)) throw v.registryIdError(`${field}.destinations.${j + 1}.registryId`);
        if (region === ctx.config.region && registryId === ctx.config.accountId) {
            throw invalidParameter("replicationConfiguration", "Replication destination cannot be the same as the source registry");
        }
        return { region, registryId };
    });
    const out: Json = { destinations };
    const filters = v.optionalArray(rule, "repositoryFilters", 1, 100);
    if (filters) {
        out.repositoryFilters = filters.map((f, j) => {
            const filter = structure(f, `${field}.repositoryFilters.${j + 1}`);
            const value = v.requireString(filter, "filter");
            const type = v.requireString(filter, "filterType");
            if (type !== "PREFIX_MATCH") {
                throw invalidParameter(
                    `${field}.repositoryFilters.${j + 1}.filterType`,
                    "Member must satisfy enum value set: [PREFIX_MATCH]",
                );
            }
            if (value.length < 2 || value.length > 256 || !REPLICATION_FILTER_RE.test(value)) {
                throw invalidParameter(
                    `${field}.repositoryFilters.${j + 1}.filter`,
                    "Member must have length between 2 and 256 and satisfy regular expression '^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$'",
                );
            }
            return { filter: value, filterType: type };
        });
    }
    return out;
}

const PutReplicationConfiguration: Operation = (ctx, input) => {
    const config = v.optionalObject(input, "replicationConfiguration");
    if (!config) throw invalidParameter("replicationConfiguration", "Member must not be null");
    const rules = v.requireArray(config, "rules", 0, 10).map((r, i) => replicationRule(ctx, r, i));
    const unique = new Set(rules.flatMap((r) => (r.destinations as Json[]).map((d) => `${d.region}|${d.registryId}`)));
    if (unique.size > MAX_REPLICATION_DESTINATIONS) {
        throw invalidParameter(
            "replicationConfiguration",
            `A replication configuration may have at most ${MAX_REPLICATION_DESTINATIONS} unique destinations across all rules; it has ${unique.size}`,
        );
    }
    ctx.store.registry.replicationRules = rules;
    ctx.store.saveRegistry();
    return { replicationConfiguration: { rules: structuredClone(rules) } };
};

const PutRegistryScanningConfiguration: Operation = (ctx, input) => {
    const scanType = v.optionalString(input, "scanType") ?? "BASIC";
    if (!SCAN_FREQUENCIES[scanType]) throw invalidParameter("scanType", "Member must satisfy enum value set: [BASIC, ENHANCED]");
    const rules = (v.optionalArray(input, "rules", 0, 2) ?? []).map((raw, i) => {
        const field = `rules.${i + 1}`;
        const rule = structure(raw, field);
        const frequency = v.requireString(rule, "scanFrequency");
        if (!["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"].includes(frequency)) {
            throw invalidParameter(`${field}.scanFrequency`, "Member must satisfy enum value set: [SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL]");
        }
        if (!SCAN_FREQUENCIES[scanType].includes(frequency)) {
            throw invalidParameter(
                `${field}.scanFrequency`,
                `Scan frequency ${frequency} is not supported for scan type ${scanType}; use ${SCAN_FREQUENCIES[scanType].join(" or ")}`,
            );
        }
        const filters = v.requireArray(rule, "repositoryFilters", 0, 100).map((f, j) => {
            const filter = structure(f, `${field}.repositoryFilters.${j + 1}`);
            const value = v.requireString(filter, "filter");
            const type = v.requireString(filter, "filterType");
            if (type !== "WILDCARD") {
                throw invalidParameter(`${field}.repositoryFilters.${j + 1}.filterType`, "Member must satisfy enum value set: [WILDCARD]");
            }
            if (value.length < 1 || value.length > 255 || !SCANNING_FILTER_RE.test(value)) {
                throw invalidParameter(
                    `${field}.repositoryFilters.${j + 1}.filter`,
                    "Member must have length between 1 and 255 and satisfy regular expression '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$'",
                );
            }
            return { filter: value, filterType: type };
        });
        return { scanFrequency: frequency, repositoryFilters: filters };
    });
    ctx.store.registry.scanning = { scanType, rules };
    ctx.store.saveRegistry();
    return { registryScanningConfiguration: structuredClone(ctx.store.registry.scanning) };
};

const GetRegistryScanningConfiguration: Operation = (ctx) => ({
    registryId: ctx.config.accountId,
    scanningConfiguration: structuredClone(ctx.store.registry.scanning),
});

function settingName(input: Json): string {
    const name = v.requireString(input, "name");
    if (name.length < 1 || name.length > 64) throw invalidParameter("name", "Member must have length between 1 and 64");
    if (!ACCOUNT_SETTINGS[name]) {
        throw invalidParameter("name", `Member must satisfy enum value set: [${Object.keys(ACCOUNT_SETTINGS).join(", ")}]`);
    }
    return name;
}

const GetAccountSetting: Operation = (ctx, input) => {
    const name = settingName(input);
    return { name, value: accountSetting(ctx, name) };
};

const PutAccountSetting: Operation = (ctx, input) => {
    const name = settingName(input);
    const value = v.requireString(input, "value");
    const allowed = ACCOUNT_SETTINGS[name].values;
    if (!allowed.includes(value)) throw invalidParameter("value", `Valid values for ${name} are: ${allowed.join(", ")}`);
    ctx.store.registry.accountSettings[name] = value;
    ctx.store.saveRegistry();
    return { name, value };
};

function principalArn(input: Json): string {
    const arn = v.requireString(input, "principalArn");
    if (arn.length > 200 || !PRINCIPAL_ARN_RE.test(arn)) {
        throw invalidParameter(
            "principalArn",
            "Member must have length less than or equal to 200 and satisfy regular expression '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$'",
        );
    }
    return arn;
}

const RegisterPullTimeUpdateExclusion: Operation = (ctx, input) => {
    const arn = principalArn(input);
    const exclusions = ctx.store.registry.pullTimeUpdateExclusions;
    if (exclusions[arn] !== undefined) {
        throw new EcrException("ExclusionAlreadyExistsException", `The principal '${arn}' is already excluded from pull time updates`);
    }
    exclusions[arn] = Date.now();
    ctx.store.saveRegistry();
    return { principalArn: arn, createdAt: seconds(exclusions[arn]) };
};

const DeregisterPullTimeUpdateExclusion: Operation = (ctx, input) => {
    const arn = principalArn(input);
    const exclusions = ctx.store.registry.pullTimeUpdateExclusions;
    if (exclusions[arn] === undefined) {
        throw new EcrException("ExclusionNotFoundException", `The principal '${arn}' is not excluded from pull time updates`);
    }
    delete exclusions[arn];
    ctx.store.saveRegistry();
    return { principalArn: arn };
};

const ListPullTimeUpdateExclusions: Operation = (ctx, input) => {
    const limit = v.maxResults(input, 1000);
    const arns = Object.keys(ctx.store.registry.pullTimeUpdateExclusions);
    const { page, nextToken } = paginate(arns, (a) => a, input, "ListPullTimeUpdateExclusions", "", limit);
    const out: Json = { pullTimeUpdateExclusions: page };
    if (nextToken) out.nextToken = nextToken;
    return out;
};

/** The registry-wide operations, by the name in `X-Amz-Target`. */
export const registryOperations: OperationTable = {
    PutRegistryPolicy,
    GetRegistryPolicy,
    DeleteRegistryPolicy,
    DescribeRegistry,
    PutReplicationConfiguration,
    PutRegistryScanningConfiguration,
    GetRegistryScanningConfiguration,
    GetAccountSetting,
    PutAccountSetting,
    RegisterPullTimeUpdateExclusion,
    DeregisterPullTimeUpdateExclusion,
    ListPullTimeUpdateExclusions,
};

/**
 * ECR Replication Configuration: the registry's one list of replication rules (which repositories
 * are copied to which regions and accounts). Follows `aws.ecr.ReplicationConfiguration`. ECR has
 * no delete call: delete writes the rules this resource did not write back, or an empty list.
 *
 * Rules are compared as a set (ECR applies every rule; their order means nothing), each rule with
 * its destinations and filters sorted. As with RegistryPolicy, this resource owns the whole list
 * and refuses to erase rules it did not write (another stack's ReplicationRule, or a change made
 * outside Pulumi): on create when the list already holds rules the program lacks, on update when
 * rules appeared that are neither in its last known state nor in the program. `pulumi refresh`
 * takes them in as drift, after which the next update removes them.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    DescribeRegistryCommand,
    ECRClient,
    PutReplicationConfigurationCommand,
    RepositoryFilter,
    RepositoryFilterType,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, wrap } from "./errors";
import { canonicalJson } from "./policyDocument";
import { containsUnknown, Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Replication Configuration";
/** ECR's limits (PutReplicationConfiguration API reference). */
export const MAX_RULES = 10;
export const MAX_DESTINATIONS = 25;
export const MAX_REPOSITORY_FILTERS = 100;
/** The one filter type ECR knows for replication. */
export const REPLICATION_FILTER_TYPES = ["PREFIX_MATCH"] as const satisfies readonly RepositoryFilterType[];
/** One of {@link REPLICATION_FILTER_TYPES}. */
export type ReplicationFilterTypeValue = (typeof REPLICATION_FILTER_TYPES)[number];
/** ECR's pattern for a replication repository filter (a repository name prefix). */
const REPLICATION_FILTER_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

/** Where a rule copies images to. */
export interface ReplicationDestination {
    region: string;
    registryId: string;
}
/** Which repositories a rule copies: those whose name starts with `filter`. */
export interface ReplicationRepositoryFilter {
    filter: string;
    filterType: string;
}
/** One replication rule, with its lists sorted (the canonical form kept in state). */
export interface ReplicationRuleShape {
    destinations: ReplicationDestination[];
    repositoryFilters: ReplicationRepositoryFilter[];
}

/** Inputs after `check()`. */
export interface ReplicationConfigurationInputs {
    replicationConfiguration: { rules: ReplicationRuleShape[] };
    region: string;
}
/** What the resource reports. */
export interface ReplicationConfigurationOutputs extends ReplicationConfigurationInputs {
    registryId: string;
}

// ---------- rule helpers (shared with ReplicationRule and the data source) ----------

const byText =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** A rule in canonical form: destinations and filters sorted, filter type filled in. */
export function normalizeRule(rule: UncheckedInputs): ReplicationRuleShape {
    return {
        destinations: ((rule.destinations ?? []) as (UncheckedInputs | undefined)[])
            .map((d) => ({ region: d?.region, registryId: d?.registryId }))
            .sort(byText((d) => `${d.region}/${d.registryId}`)),
        repositoryFilters: ((rule.repositoryFilters ?? []) as (UncheckedInputs | undefined)[])
            .map((x) => ({ filter: x?.filter, filterType: x?.filterType ?? "PREFIX_MATCH" }))
            .sort(byText((x) => `${x.filterType}/${x.filter}`)),
    };
}

/** A rule's identity: ECR gives rules no id, so a rule is what it says (its canonical content). */
export const ruleKey = (rule: UncheckedInputs): string => canonicalJson(normalizeRule(rule));

/** True when two rule lists hold the same rules, in any order. */
export function sameRules(a: ReplicationRuleShape[] | undefined, b: ReplicationRuleShape[] | undefined): boolean {
    const keys = (rs: ReplicationRuleShape[] | undefined) => (rs ?? []).map(ruleKey).sort().join("\n");
    return keys(a) === keys(b);
}

/** Checks one rule (destinations and filters) at `at`, e.g. `replicationConfiguration.rules[0]`. */
export function checkRule(f: Failures, at: string, value: unknown): void {
    if (value === UNKNOWN || containsUnknown(value)) return;
    const rule = value as UncheckedInputs | undefined;
    if (!rule || typeof rule !== "object" || Array.isArray(rule)) {
        f.add(at, "must be an object with `destinations` and, optionally, `repositoryFilters`");
        return;
    }
    const prefix = at ? `${at}.` : "";
    const dests = rule.destinations;
    if (!Array.isArray(dests) || dests.length === 0) {
        f.add(`${prefix}destinations`, "needs at least one { region, registryId } destination");
    } else if (dests.length > MAX_DESTINATIONS) {
        f.add(
            `${prefix}destinations`,
            `ECR allows at most ${MAX_DESTINATIONS} destinations per rule, got ${dests.length}; split them over several rules`,
        );
    } else {
        dests.forEach((d: UncheckedInputs | undefined, i: number) => {
            f.region(`${prefix}destinations[${i}].region`, d?.region);
            if (d?.region === undefined) f.add(`${prefix}destinations[${i}].region`, 'is required, e.g. "eu-west-1"');
            if (typeof d?.registryId !== "string" || !/^[0-9]{12}$/.test(d.registryId)) {
                f.add(
                    `${prefix}destinations[${i}].registryId`,
                    `must be the 12-digit account id of the destination registry, got ${JSON.stringify(d?.registryId)}`,
                );
            }
        });
        const seen = new Set(dests.map((d: UncheckedInputs | undefined) => `${d?.region}/${d?.registryId}`));
        if (seen.size !== dests.length) f.add(`${prefix}destinations`, "lists the same region and registry twice; drop the duplicate");
    }
    const filters = rule.repositoryFilters ?? [];
    if (!Array.isArray(filters)) {
        f.add(`${prefix}repositoryFilters`, 'must be a list of { filter, filterType: "PREFIX_MATCH" }');
    } else if (filters.length > MAX_REPOSITORY_FILTERS) {
        f.add(`${prefix}repositoryFilters`, `ECR allows at most ${MAX_REPOSITORY_FILTERS} filters per rule, got ${filters.length}`);
    } else {
        filters.forEach((x: UncheckedInputs | undefined, i: number) => {
            const p = `${prefix}repositoryFilters[${i}]`;
            if (
                typeof x?.filter !== "string" ||
                x.filter.length < 2 ||
                x.filter.length > 256 ||
                !REPLICATION_FILTER_PATTERN.test(x.filter)
            ) {
                f.add(
                    `${p}.filter`,
                    `must be a repository name prefix of 2 to 256 lower-case letters, digits and . _ - / (e.g. "team/"), got ${JSON.stringify(x?.filter)}`,
                );
            }
            f.oneOf(`${p}.filterType`, x?.filterType ?? "PREFIX_MATCH", REPLICATION_FILTER_TYPES);
        });
    }
}

/** The registry's replication rules and id (DescribeRegistry). A registry always has a list, maybe empty. */
export async function findReplicationConfiguration(client: ECRClient): Promise<{ rules: ReplicationRuleShape[]; registryId: string }> {
    const out = await client.send(new DescribeRegistryCommand({}));
    return { rules: (out.replicationConfiguration?.rules ?? []).map(normalizeRule), registryId: out.registryId ?? "" };
}

/** Writes the registry's whole rule list. */
export async function putReplicationRules(client: ECRClient, rules: ReplicationRuleShape[]): Promise<void> {
    await client.send(
        new PutReplicationConfigurationCommand({
            replicationConfiguration: {
                rules: rules.map((r) => ({
                    destinations: r.destinations,
                    repositoryFilters: r.repositoryFilters.length ? (r.repositoryFilters as RepositoryFilter[]) : undefined,
                })),
            },
        }),
    );
}

/** Rules of `current` that none of the `known` lists holds, described for a message. */
function foreignRules(current: ReplicationRuleShape[], ...known: (ReplicationRuleShape[] | undefined)[]): string[] {
    const keys = new Set(known.flatMap((rs) => (rs ?? []).map(ruleKey)));
    return current.filter((r) => !keys.has(ruleKey(r))).map(describeRule);
}

/** A rule as a reader would name it: where it copies what. */
export function describeRule(r: ReplicationRuleShape): string {
    const to = r.destinations.map((d) => `${d.registryId}/${d.region}`).join(", ");
    const what = r.repositoryFilters.length ? r.repositoryFilters.map((x) => `${x.filter}*`).join(", ") : "every repository";
    return `{${what} → ${to}}`;
}

function refuseForeign(action: string, region: string, foreign: string[], hint: string): never {
    throw new EcrError(
        action,
        KIND,
        region,
        new Error(
            `the registry's replication configuration holds rules this resource did not write and the program does not declare: ${foreign.join("; ")}`,
        ),
        hint,
    );
}

// ---------- provider ----------

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    const config = n.replicationConfiguration;
    let value: unknown = config;
    if (config === undefined || config === null) {
        f.add("replicationConfiguration", "is required: give { rules: [{ destinations: [{ region, registryId }], repositoryFilters? }] }");
    } else if (config !== UNKNOWN && config.rules !== UNKNOWN) {
        const rules = config.rules;
        if (!Array.isArray(rules)) {
            f.add("replicationConfiguration.rules", "must be a list of rules (use an empty list for no replication)");
        } else {
            if (rules.length > MAX_RULES) {
                f.add(
                    "replicationConfiguration.rules",
                    `ECR allows at most ${MAX_RULES} replication rules per registry, got ${rules.length}; merge rules that share destinations`,
                );
            }
            rules.forEach((r: UncheckedInputs | undefined, i: number) => checkRule(f, `replicationConfiguration.rules[${i}]`, r));
            const keys = rules.filter((r: UncheckedInputs | undefined) => !containsUnknown(r)).map(ruleKey);
            if (new Set(keys).size !== keys.length)
                f.add("replicationConfiguration.rules", "holds the same rule twice; drop the duplicate");
            value = containsUnknown(rules) ? config : { rules: rules.map(normalizeRule) };
        }
    }
    const region = await f.regionOrDefault("region", n.region);
    return { inputs: { replicationConfiguration: value, region }, failures: f.list };
}

export async function diff(
    _id: string,
    olds: ReplicationConfigurationOutputs,
    news: ReplicationConfigurationInputs,
): Promise<dynamic.DiffResult> {
    const replaces = (olds.region ?? news.region) !== news.region ? ["region"] : [];
    const changed =
        containsUnknown(news.replicationConfiguration) ||
        !sameRules(olds.replicationConfiguration?.rules, news.replicationConfiguration.rules);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: ReplicationConfigurationInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const registryId = await wrap("creating", KIND, inputs.region, async () => {
        const current = await findReplicationConfiguration(client);
        const foreign = foreignRules(current.rules, inputs.replicationConfiguration.rules);
        if (foreign.length > 0) {
            refuseForeign(
                "creating",
                inputs.region,
                foreign,
                "another stack's ReplicationRule or a change made outside Pulumi owns them; manage replication in one place: add them to `replicationConfiguration.rules`, or declare each rule as a ReplicationRule instead",
            );
        }
        await putReplicationRules(client, inputs.replicationConfiguration.rules);
        return current.registryId;
    });
    return { id: registryId || inputs.region, outs: { ...inputs, registryId } };
}

export async function read(id: string, props: Partial<ReplicationConfigurationOutputs>): Promise<dynamic.ReadResult> {
    const region = await resolveRegion(props.region);
    const current = await wrap("reading", KIND, id, () => findReplicationConfiguration(ecrClient(region)));
    // ECR cannot delete a replication configuration; an empty list where rules were is "gone".
    if (current.rules.length === 0 && (props.replicationConfiguration?.rules?.length ?? 0) > 0) return { id: "" };
    const rules = sameRules(props.replicationConfiguration?.rules, current.rules) ? props.replicationConfiguration!.rules : current.rules;
    const outs: ReplicationConfigurationOutputs = { replicationConfiguration: { rules }, region, registryId: current.registryId };
    return { id: current.registryId || id, props: outs };
}

export async function update(
    _id: string,
    olds: ReplicationConfigurationOutputs,
    news: ReplicationConfigurationInputs,
): Promise<dynamic.UpdateResult> {
    const client = ecrClient(news.region);
    const registryId = await wrap("updating", KIND, news.region, async () => {
        const current = await findReplicationConfiguration(client);
        const foreign = foreignRules(current.rules, olds.replicationConfiguration?.rules, news.replicationConfiguration.rules);
        if (foreign.length > 0) {
            refuseForeign(
                "updating",
                news.region,
                foreign,
                "they were added since this stack last wrote the configuration (by another stack's ReplicationRule, or outside Pulumi); add them to `replicationConfiguration.rules`, or run `pulumi refresh` to take them in as drift so that this update removes them",
            );
        }
        await putReplicationRules(client, news.replicationConfiguration.rules);
        return current.registryId;
    });
    return { outs: { ...news, registryId: registryId || olds.registryId } };
}

/** Writes back the rules this resource did not write (often none: an empty list, ECR's "no replication"). */
export async function remove(id: string, props: ReplicationConfigurationOutputs): Promise<void> {
    const client = ecrClient(props.region);
    try {
        const current = await findReplicationConfiguration(client);
        const mine = new Set((props.replicationConfiguration?.rules ?? []).map(ruleKey));
        const others = current.rules.filter((r) => !mine.has(ruleKey(r)));
        if (others.length === current.rules.length && current.rules.length > 0 && mine.size > 0) return; // ours are already gone
        if (current.rules.length === 0) return;
        await putReplicationRules(client, others);
    } catch (e) {
        throw new EcrError("deleting", KIND, id, e);
    }
}

// This module's exports are the dynamic provider for `ReplicationConfiguration` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

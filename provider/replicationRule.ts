/**
 * ECR Replication Rule: one rule of the registry's replication configuration, so that several
 * stacks can each manage their own rules of the one list.
 *
 * Identity: ECR gives rules no id, so a rule is identified by its full content (destinations and
 * repository filters, sorted). State keeps the content last written; update finds that content in
 * the list and replaces it with the new content, delete removes it. Every write reads the list,
 * changes only this rule, writes the list back and reads it again to confirm (readModifyWrite.ts).
 * Consequences, documented in the README: an identical rule already in the list is taken over on
 * create (so a create that crashed after its write can be retried), and a rule edited outside
 * Pulumi no longer matches, so refresh reports this resource gone and the next `up` adds the rule
 * again next to the edited one.
 */
import { createHash } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, wrap } from "./errors";

import { writePart } from "./readModifyWrite";
import {
    MAX_RULES,
    ReplicationDestination,
    ReplicationRepositoryFilter,
    ReplicationRuleShape,
    checkRule,
    describeRule,
    findReplicationConfiguration,
    normalizeRule,
    putReplicationRules,
    ruleKey,
} from "./replicationConfiguration";
import { containsUnknown, Failures, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Replication Rule";

/** Inputs after `check()`: the rule in canonical form. */
export interface ReplicationRuleInputs {
    destinations: ReplicationDestination[];
    repositoryFilters: ReplicationRepositoryFilter[];
    region: string;
}
/** What the resource reports. */
export interface ReplicationRuleOutputs extends ReplicationRuleInputs {
    registryId: string;
}

type Snapshot = { rules: ReplicationRuleShape[]; registryId: string };

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    checkRule(f, "", { destinations: n.destinations, repositoryFilters: n.repositoryFilters });
    const region = await f.regionOrDefault("region", n.region);
    const known = !containsUnknown(n.destinations) && !containsUnknown(n.repositoryFilters);
    const rule =
        known && Array.isArray(n.destinations)
            ? normalizeRule(n)
            : { destinations: n.destinations, repositoryFilters: n.repositoryFilters ?? [] };
    return { inputs: { ...rule, region }, failures: f.list };
}

export async function diff(_id: string, olds: ReplicationRuleOutputs, news: ReplicationRuleInputs): Promise<dynamic.DiffResult> {
    const replaces = (olds.region ?? news.region) !== news.region ? ["region"] : [];
    const changed = containsUnknown(news) || ruleKey(olds) !== ruleKey(news);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

/** Replaces the rule `from` (if present) with `to` in the registry's list, confirming afterwards. */
async function replaceRule(
    client: ECRClient,
    from: ReplicationRuleShape | undefined,
    to: ReplicationRuleShape | undefined,
): Promise<Snapshot> {
    const fromKey = from && ruleKey(from);
    const toKey = to && ruleKey(to);
    const has = (s: Snapshot, key: string) => s.rules.some((r) => ruleKey(r) === key);
    return writePart<Snapshot>({
        read: () => findReplicationConfiguration(client),
        change(current) {
            const keep = current.rules.filter((r) => ruleKey(r) !== fromKey);
            const needsAdd = to !== undefined && !keep.some((r) => ruleKey(r) === toKey);
            if (keep.length === current.rules.length && !needsAdd) return undefined;
            if (needsAdd && keep.length >= MAX_RULES) {
                throw new Error(
                    `the registry already has ${keep.length} replication rules, ECR's limit is ${MAX_RULES}: ${keep.map(describeRule).join("; ")}`,
                );
            }
            return { rules: needsAdd ? [...keep, to!] : keep, registryId: current.registryId };
        },
        write: (next) => putReplicationRules(client, next.rules),
        confirmed: (s) => (toKey === undefined || has(s, toKey)) && (fromKey === undefined || fromKey === toKey || !has(s, fromKey)),
    });
}

const ruleOf = (x: ReplicationRuleInputs): ReplicationRuleShape => normalizeRule(x);
const idOf = (rule: ReplicationRuleShape) => createHash("sha256").update(ruleKey(rule)).digest("hex").slice(0, 16);

export async function create(inputs: ReplicationRuleInputs): Promise<dynamic.CreateResult> {
    const rule = ruleOf(inputs);
    const snap = await wrap("creating", KIND, describeRule(rule), () => replaceRule(ecrClient(inputs.region), undefined, rule));
    // The id is fixed at creation; the rule's current content (its real identity) lives in state.
    return { id: idOf(rule), outs: { ...inputs, ...rule, registryId: snap.registryId } };
}

export async function read(id: string, props: Partial<ReplicationRuleOutputs>): Promise<dynamic.ReadResult> {
    const region = await resolveRegion(props.region);
    const current = await wrap("reading", KIND, id, () => findReplicationConfiguration(ecrClient(region)));
    if (!props.destinations) return { id: "" };
    const mine = ruleKey(props as ReplicationRuleShape);
    const found = current.rules.find((r) => ruleKey(r) === mine);
    if (!found) return { id: "" };
    return { id, props: { ...found, region, registryId: current.registryId } };
}

export async function update(id: string, olds: ReplicationRuleOutputs, news: ReplicationRuleInputs): Promise<dynamic.UpdateResult> {
    const rule = ruleOf(news);
    const snap = await wrap("updating", KIND, describeRule(ruleOf(olds)), () => replaceRule(ecrClient(news.region), ruleOf(olds), rule));
    return { outs: { ...news, ...rule, registryId: snap.registryId || olds.registryId } };
}

/** Removes this rule (found by its content) from the registry's list; the other rules stay. */
export async function remove(id: string, props: ReplicationRuleOutputs): Promise<void> {
    try {
        await replaceRule(ecrClient(props.region), ruleOf(props), undefined);
    } catch (e) {
        throw new EcrError("deleting", KIND, describeRule(ruleOf(props)), e);
    }
}

// This module's exports are the dynamic provider for `ReplicationRule` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

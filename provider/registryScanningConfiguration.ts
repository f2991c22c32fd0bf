/**
 * ECR Registry Scanning Configuration: how the registry scans pushed images (BASIC or ENHANCED,
 * and which repositories at which frequency). Follows `aws.ecr.RegistryScanningConfiguration`.
 * ECR has no delete call: delete restores ECR's default, BASIC with no rules.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    ECRClient,
    GetRegistryScanningConfigurationCommand,
    PutRegistryScanningConfigurationCommand,
    RegistryScanningRule,
    ScanFrequency,
    ScanningRepositoryFilterType,
    ScanType,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, wrap } from "./errors";
import { canonicalJson } from "./policyDocument";
import { containsUnknown, Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Registry Scanning Configuration";
/** The scan types, frequencies and filter types `check()` accepts: the one source of the sdk unions. */
export const SCAN_TYPES = ["BASIC", "ENHANCED"] as const satisfies readonly ScanType[];
export const SCAN_FREQUENCIES = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"] as const satisfies readonly ScanFrequency[];
export const SCANNING_FILTER_TYPES = ["WILDCARD"] as const satisfies readonly ScanningRepositoryFilterType[];
/** One of {@link SCAN_TYPES}. */
export type ScanTypeValue = (typeof SCAN_TYPES)[number];
/** One of {@link SCAN_FREQUENCIES}. */
export type ScanFrequencyValue = (typeof SCAN_FREQUENCIES)[number];
/** One of {@link SCANNING_FILTER_TYPES}. */
export type ScanningFilterTypeValue = (typeof SCANNING_FILTER_TYPES)[number];
/** Which frequencies each scan type supports (PutRegistryScanningConfiguration API reference). */
const FREQUENCIES_BY_TYPE: Record<string, readonly string[]> = {
    BASIC: ["SCAN_ON_PUSH", "MANUAL"],
    ENHANCED: ["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"],
};
/** ECR's pattern for a scanning filter: repository name characters and the `*` wildcard. */
const SCANNING_FILTER_PATTERN = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;

/** One scanning rule: which repositories (by wildcard filter) are scanned how often. */
export interface ScanningRule {
    scanFrequency: string;
    repositoryFilters: { filter: string; filterType: string }[];
}
/** Inputs after `check()`: rules sorted by frequency, filters sorted. */
export interface RegistryScanningConfigurationInputs {
    scanType: string;
    rules: ScanningRule[];
    region: string;
}
/** What the resource reports. */
export interface RegistryScanningConfigurationOutputs extends RegistryScanningConfigurationInputs {
    registryId: string;
}

/** ECR's setting when nobody configured scanning. */
export const DEFAULT_SCANNING = { scanType: "BASIC", rules: [] as ScanningRule[] };

const byText =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Rules in canonical form. */
export function normalizeScanningRules(rules: readonly (UncheckedInputs | undefined)[] | undefined): ScanningRule[] {
    return (rules ?? [])
        .map((r) => ({
            scanFrequency: r?.scanFrequency,
            repositoryFilters: (r?.repositoryFilters ?? [])
                .map((x: UncheckedInputs | undefined) => ({ filter: x?.filter, filterType: x?.filterType ?? "WILDCARD" }))
                .sort(byText((x: { filter: string }) => x.filter)) as ScanningRule["repositoryFilters"],
        }))
        .sort(byText((r) => `${r.scanFrequency}/${canonicalJson(r.repositoryFilters)}`));
}

/** The registry's scanning configuration (never "not found": a registry always has one). */
export async function findRegistryScanningConfiguration(
    client: ECRClient,
): Promise<{ scanType: string; rules: ScanningRule[]; registryId: string }> {
    const out = await client.send(new GetRegistryScanningConfigurationCommand({}));
    return {
        scanType: out.scanningConfiguration?.scanType ?? "BASIC",
        rules: normalizeScanningRules(out.scanningConfiguration?.rules),
        registryId: out.registryId ?? "",
    };
}

async function put(client: ECRClient, scanType: string, rules: ScanningRule[]): Promise<void> {
    await client.send(
        new PutRegistryScanningConfigurationCommand({ scanType: scanType as ScanType, rules: rules as RegistryScanningRule[] }),
    );
}

const same = (a: { scanType?: string; rules?: ScanningRule[] }, b: { scanType?: string; rules?: ScanningRule[] }) =>
    a.scanType === b.scanType && canonicalJson(normalizeScanningRules(a.rules)) === canonicalJson(normalizeScanningRules(b.rules));

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    if (n.scanType === undefined) f.add("scanType", 'is required: "BASIC" or "ENHANCED"');
    f.oneOf("scanType", n.scanType, SCAN_TYPES);
    const rules = n.rules ?? [];
    if (rules !== UNKNOWN) {
        if (!Array.isArray(rules)) f.add("rules", "must be a list of { scanFrequency, repositoryFilters }");
        else {
            rules.forEach((r: UncheckedInputs | undefined, i: number) => {
                const at = `rules[${i}]`;
                if (containsUnknown(r)) return;
                f.oneOf(`${at}.scanFrequency`, r?.scanFrequency ?? "", SCAN_FREQUENCIES);
                const allowed = FREQUENCIES_BY_TYPE[n.scanType];
                if (
                    allowed &&
                    typeof r?.scanFrequency === "string" &&
                    (SCAN_FREQUENCIES as readonly string[]).includes(r.scanFrequency) &&
                    !allowed.includes(r.scanFrequency)
                ) {
                    f.add(
                        `${at}.scanFrequency`,
                        `${r.scanFrequency} needs scanType "ENHANCED"; BASIC scanning supports ${allowed.join(" and ")}`,
                    );
                }
                const filters = r?.repositoryFilters;
                if (!Array.isArray(filters) || filters.length === 0) {
                    f.add(
                        `${at}.repositoryFilters`,
                        'needs at least one { filter, filterType: "WILDCARD" }; use filter "*" for every repository',
                    );
                    return;
                }
                filters.forEach((x: UncheckedInputs | undefined, j: number) => {
                    if (typeof x?.filter !== "string" || x.filter.length > 255 || !SCANNING_FILTER_PATTERN.test(x.filter)) {
                        f.add(
                            `${at}.repositoryFilters[${j}].filter`,
                            `must be 1 to 255 lower-case repository-name characters and * wildcards (e.g. "prod-*"), got ${JSON.stringify(x?.filter)}`,
                        );
                    }
                    f.oneOf(`${at}.repositoryFilters[${j}].filterType`, x?.filterType ?? "WILDCARD", SCANNING_FILTER_TYPES);
                });
            });
        }
    }
    const region = await f.regionOrDefault("region", n.region);
    const normalized = Array.isArray(rules) && !containsUnknown(rules) ? normalizeScanningRules(rules) : rules;
    return { inputs: { scanType: n.scanType, rules: normalized, region }, failures: f.list };
}

export async function diff(
    _id: string,
    olds: RegistryScanningConfigurationOutputs,
    news: RegistryScanningConfigurationInputs,
): Promise<dynamic.DiffResult> {
    const replaces = (olds.region ?? news.region) !== news.region ? ["region"] : [];
    const changed = containsUnknown(news) || !same(olds, news);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: RegistryScanningConfigurationInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const registryId = await wrap("creating", KIND, inputs.region, async () => {
        await put(client, inputs.scanType, inputs.rules);
        return (await findRegistryScanningConfiguration(client)).registryId;
    });
    return { id: registryId || inputs.region, outs: { ...inputs, registryId } };
}

export async function read(id: string, props: Partial<RegistryScanningConfigurationOutputs>): Promise<dynamic.ReadResult> {
    const region = await resolveRegion(props.region);
    const current = await wrap("reading", KIND, id, () => findRegistryScanningConfiguration(ecrClient(region)));
    // ECR cannot delete the configuration; back at its default where something else was is "gone".
    if (same(current, DEFAULT_SCANNING) && props.scanType !== undefined && !same(props, DEFAULT_SCANNING)) return { id: "" };
    const outs: RegistryScanningConfigurationOutputs = {
        scanType: current.scanType,
        rules: current.rules,
        region,
        registryId: current.registryId,
    };
    return { id: current.registryId || id, props: outs };
}

export async function update(
    _id: string,
    olds: RegistryScanningConfigurationOutputs,
    news: RegistryScanningConfigurationInputs,
): Promise<dynamic.UpdateResult> {
    await wrap("updating", KIND, news.region, () => put(ecrClient(news.region), news.scanType, news.rules));
    return { outs: { ...news, registryId: olds.registryId } };
}

/** Restores ECR's default: BASIC scanning with no rules. */
export async function remove(id: string, props: RegistryScanningConfigurationOutputs): Promise<void> {
    try {
        await put(ecrClient(props.region), DEFAULT_SCANNING.scanType, DEFAULT_SCANNING.rules);
    } catch (e) {
        throw new EcrError("deleting", KIND, id, e);
    }
}

// This module's exports are the dynamic provider for `RegistryScanningConfiguration` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

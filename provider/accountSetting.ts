/**
 * ECR Account Setting: one registry-wide switch (basic scan engine, cross-repository blob
 * mounting, registry policy scope). Follows `aws.ecr.AccountSetting`. A setting always has a
 * value, so delete restores ECR's default for it rather than removing anything.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ECRClient, GetAccountSettingCommand, PutAccountSettingCommand } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, wrap } from "./errors";

import { Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Account Setting";

/**
 * Each setting's values and the default that delete restores (named `restored`: an own property
 * named `default` does not survive Pulumi's closure serializer when a provider is stored by value,
 * as tests/unit/storedByValue.test.ts found). `BASIC_SCAN_TYPE_VERSION` takes only
 * `AWS_NATIVE` (the SDK's documented value; ECR retired the Clair engine that `CLAIR` named).
 */
export const ACCOUNT_SETTINGS = {
    BASIC_SCAN_TYPE_VERSION: { values: ["AWS_NATIVE"], restored: "AWS_NATIVE" },
    BLOB_MOUNTING: { values: ["ENABLED", "DISABLED"], restored: "DISABLED" },
    REGISTRY_POLICY_SCOPE: { values: ["V1", "V2"], restored: "V2" },
} as const;
/** One of the setting names. */
export type AccountSettingNameValue = keyof typeof ACCOUNT_SETTINGS;
export const ACCOUNT_SETTING_NAMES = Object.keys(ACCOUNT_SETTINGS) as AccountSettingNameValue[];

/** Inputs after `check()`. */
export interface AccountSettingInputs {
    name: string;
    value: string;
    region: string;
}

/** The setting's current value. */
export async function findAccountSetting(client: ECRClient, name: string): Promise<string> {
    const out = await client.send(new GetAccountSettingCommand({ name }));
    return out.value ?? "";
}

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    if (n.name === undefined) f.add("name", `is required: one of ${ACCOUNT_SETTING_NAMES.join(", ")}`);
    f.oneOf("name", n.name, ACCOUNT_SETTING_NAMES);
    const setting = ACCOUNT_SETTINGS[n.name as keyof typeof ACCOUNT_SETTINGS];
    if (n.value === undefined || n.value === "")
        f.add("value", setting ? `is required: one of ${setting.values.join(", ")}` : "is required");
    else if (setting && n.value !== UNKNOWN) f.oneOf("value", n.value, setting.values);
    const region = await f.regionOrDefault("region", n.region);
    return { inputs: { name: n.name, value: n.value, region }, failures: f.list };
}

export async function diff(_id: string, olds: AccountSettingInputs, news: AccountSettingInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.name !== news.name) replaces.push("name");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    return { changes: replaces.length > 0 || olds.value !== news.value, replaces, deleteBeforeReplace: replaces.length > 0 };
}

async function put(inputs: AccountSettingInputs, action: string): Promise<void> {
    await wrap(action, KIND, inputs.name, () =>
        ecrClient(inputs.region).send(new PutAccountSettingCommand({ name: inputs.name, value: inputs.value })),
    );
}

export async function create(inputs: AccountSettingInputs): Promise<dynamic.CreateResult> {
    await put(inputs, "creating");
    return { id: inputs.name, outs: inputs };
}

export async function read(id: string, props: Partial<AccountSettingInputs>): Promise<dynamic.ReadResult> {
    const name = props.name || id;
    const region = await resolveRegion(props.region);
    const value = await wrap("reading", KIND, name, () => findAccountSetting(ecrClient(region), name));
    return { id: name, props: { name, value, region } };
}

export async function update(_id: string, _olds: AccountSettingInputs, news: AccountSettingInputs): Promise<dynamic.UpdateResult> {
    await put(news, "updating");
    return { outs: news };
}

/** Restores ECR's default value for the setting. */
export async function remove(id: string, props: AccountSettingInputs): Promise<void> {
    const name = props.name || id;
    const setting = ACCOUNT_SETTINGS[name as keyof typeof ACCOUNT_SETTINGS];
    if (!setting) throw new EcrError("deleting", KIND, name, new Error(`unknown setting ${JSON.stringify(name)}`));
    await put({ name, value: setting.restored, region: props.region }, "deleting");
}

// This module's exports are the dynamic provider for `AccountSetting` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

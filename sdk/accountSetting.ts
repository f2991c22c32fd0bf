import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/accountSetting";
import type { AccountSettingNameValue } from "../provider/accountSetting";
import type { OpenString } from "./documents";

/** The registry-wide settings ECR has. */
export type AccountSettingName = OpenString<AccountSettingNameValue>;

/** Arguments of {@link AccountSetting}; names follow `aws.ecr.AccountSettingArgs`. */
export interface AccountSettingArgs {
    /** Which setting. Changing it replaces the resource. */
    name: pulumi.Input<AccountSettingName>;
    /** `BASIC_SCAN_TYPE_VERSION`: `AWS_NATIVE`; `BLOB_MOUNTING`: `ENABLED` | `DISABLED`; `REGISTRY_POLICY_SCOPE`: `V1` | `V2`. */
    value: pulumi.Input<string>;
    /** Changing it replaces the resource. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * One registry-wide setting. A setting always has a value: destroying the resource restores ECR's
 * default (`AWS_NATIVE`, `DISABLED`, `V2`).
 *
 * @example
 * new ecr.AccountSetting("blob-mounting", { name: "BLOB_MOUNTING", value: "ENABLED" });
 */
export class AccountSetting extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: AccountSettingArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { region: undefined, ...args }, opts, "ecr", "AccountSetting");
    }
}

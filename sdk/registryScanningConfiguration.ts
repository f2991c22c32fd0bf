import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/registryScanningConfiguration";
import type { ScanFrequencyValue, ScanTypeValue, ScanningFilterTypeValue } from "../provider/registryScanningConfiguration";
import type { OpenString } from "./documents";

/** BASIC (ECR's own scanner) or ENHANCED (Amazon Inspector). */
export type ScanType = OpenString<ScanTypeValue>;
/** How often matching repositories are scanned. BASIC supports SCAN_ON_PUSH and MANUAL. */
export type ScanFrequency = OpenString<ScanFrequencyValue>;

/** One scanning rule; names follow `aws.ecr.RegistryScanningConfigurationRule`. */
export interface RegistryScanningRule {
    scanFrequency: pulumi.Input<ScanFrequency>;
    /** At least one; `"*"` matches every repository. */
    repositoryFilters: pulumi.Input<
        pulumi.Input<{ filter: pulumi.Input<string>; filterType?: pulumi.Input<OpenString<ScanningFilterTypeValue>> }>[]
    >;
}

/** Arguments of {@link RegistryScanningConfiguration}; names follow `aws.ecr.RegistryScanningConfigurationArgs`. */
export interface RegistryScanningConfigurationArgs {
    scanType: pulumi.Input<ScanType>;
    /** @default [] */
    rules?: pulumi.Input<pulumi.Input<RegistryScanningRule>[] | undefined>;
    /** Changing it replaces the configuration. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string | undefined>;
}

/**
 * The registry's scanning configuration. ECR has no delete call: destroying it restores ECR's
 * default, BASIC scanning with no rules.
 *
 * @example
 * new ecr.RegistryScanningConfiguration("scanning", {
 *     scanType: "ENHANCED",
 *     rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "prod-*" }] }],
 * });
 */
export class RegistryScanningConfiguration extends pulumi.dynamic.Resource {
    declare readonly scanType: pulumi.Output<ScanTypeValue>;
    /** The rules, sorted by frequency, filters sorted. */
    declare readonly rules: pulumi.Output<
        { scanFrequency: ScanFrequencyValue; repositoryFilters: { filter: string; filterType: ScanningFilterTypeValue }[] }[]
    >;
    /** Account id of the registry. */
    declare readonly registryId: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: RegistryScanningConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { rules: undefined, registryId: undefined, region: undefined, ...args },
            opts,
            "ecr",
            "RegistryScanningConfiguration",
        );
    }
}

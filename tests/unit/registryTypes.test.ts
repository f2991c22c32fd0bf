/**
 * Type-level proof that arguments written for `aws.ecr`'s registry resources and functions move
 * over by changing the import: each function below takes a value of @pulumi/aws's argument type
 * and returns it as ours, so an incompatible field fails the compile.
 *
 * The run must fail when this file does not compile. ts-node type-checks it; when that fails,
 * mocha falls back to Node's own loader, which strips types without checking them. That loader
 * cannot resolve the extensionless relative import below, so a type error still fails the run
 * (reported as ERR_MODULE_NOT_FOUND) instead of passing silently.
 */
import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import { ACCOUNT_SETTING_NAMES } from "../../provider/accountSetting";
import type * as ecr from "../../sdk";

const proofs = [
    (x: aws.ecr.RegistryPolicyArgs): ecr.RegistryPolicyArgs => x,
    // @pulumi/aws marks replicationConfiguration optional; check() requires it.
    (
        x: aws.types.input.ecr.ReplicationConfigurationReplicationConfiguration,
        region: aws.ecr.ReplicationConfigurationArgs["region"],
    ): ecr.ReplicationConfigurationArgs => ({
        replicationConfiguration: x,
        region,
    }),
    (x: aws.ecr.RegistryScanningConfigurationArgs): ecr.RegistryScanningConfigurationArgs => x,
    (x: aws.ecr.PullThroughCacheRuleArgs): ecr.PullThroughCacheRuleArgs => x,
    (x: aws.ecr.RepositoryCreationTemplateArgs): ecr.RepositoryCreationTemplateArgs => x,
    (x: aws.ecr.AccountSettingArgs, name: string): ecr.AccountSettingArgs => ({ ...x, name }),
    (x: aws.ecr.PullTimeUpdateExclusionArgs): ecr.PullTimeUpdateExclusionArgs => x,
    (x: aws.ecr.GetLifecyclePolicyDocumentArgs): ecr.GetLifecyclePolicyDocumentArgs => x,
    (x: aws.ecr.GetPullThroughCacheRuleArgs): ecr.GetPullThroughCacheRuleArgs => x,
    (x: aws.ecr.GetRepositoryCreationTemplateArgs): ecr.GetRepositoryCreationTemplateArgs => x,
];

describe("registry argument types", () => {
    it("accept what @pulumi/aws's aws.ecr argument types hold (checked when this file compiles)", () => {
        void proofs; // the proofs are checked by the compiler, when this file compiles
        assert.deepEqual(ACCOUNT_SETTING_NAMES, ["BASIC_SCAN_TYPE_VERSION", "BLOB_MOUNTING", "REGISTRY_POLICY_SCOPE"]);
    });
});

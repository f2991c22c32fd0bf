/**
 * Policy-document types. Structurally compatible with `aws.iam.PolicyDocument` and
 * `aws.ecr.LifecyclePolicyDocument` from `@pulumi/aws`, so documents written for that package
 * pass to these resources unchanged (proven by tests/unit/documentTypes.test.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type {
    LifecycleActionType,
    LifecycleCountType,
    LifecycleStorageClass,
    LifecycleTagStatus,
    LifecycleTargetStorageClass,
} from "../provider/lifecyclePolicy";

type In<T> = pulumi.Input<T>;
/**
 * A string literal union that still accepts any string: editors suggest the known values, values
 * typed as `string` (as `@pulumi/aws` types them) still compile, and `check()` validates them. A
 * value that is not a string at all (a number, a boolean) is a type error. Public, because the
 * published declarations of `ImageTagMutability` and the document types use it.
 */
export type OpenString<T extends string> = T | (string & {});

/** `{ AWS: "arn:aws:iam::123456789012:root" }` or a list of such principals. */
export interface AWSPrincipal {
    AWS: In<string | In<string>[]>;
}
/** `{ Service: "codebuild.amazonaws.com" }` */
export interface ServicePrincipal {
    Service: In<string | In<string>[]>;
}
/** `{ Federated: "cognito-identity.amazonaws.com" }` */
export interface FederatedPrincipal {
    Federated: In<string | In<string>[]>;
}
/** Who a statement applies to: `"*"` for everyone, or principals by type. */
export type Principal = "*" | AWSPrincipal | ServicePrincipal | FederatedPrincipal;

/** One statement of a repository (resource-based IAM) policy. */
export interface PolicyStatement {
    Sid?: In<string | undefined>;
    Effect: In<"Allow" | "Deny">;
    Principal?: In<string | AWSPrincipal | ServicePrincipal | FederatedPrincipal | undefined>;
    NotPrincipal?: In<string | AWSPrincipal | ServicePrincipal | FederatedPrincipal | undefined>;
    Action?: In<string | In<string>[] | undefined>;
    NotAction?: In<string | In<string>[] | undefined>;
    Resource?: In<string | In<string>[] | undefined>;
    NotResource?: In<string | In<string>[] | undefined>;
    Condition?: In<{ [operator: string]: In<{ [key: string]: In<string | number | boolean | In<string>[]> }> } | undefined>;
}

/** A repository policy document. */
export interface PolicyDocument {
    /** @default "2008-10-17" when left out (IAM's rule); write "2012-10-17". */
    Version?: In<"2012-10-17" | "2008-10-17">;
    Id?: In<string | undefined>;
    Statement: In<In<PolicyStatement>[]>;
}

/** What a lifecycle rule selects. */
export interface LifecyclePolicySelection {
    /** `tagged` needs `tagPrefixList` or `tagPatternList`. */
    tagStatus: In<OpenString<LifecycleTagStatus>>;
    tagPrefixList?: In<In<string>[] | undefined>;
    tagPatternList?: In<In<string>[] | undefined>;
    countType: In<OpenString<LifecycleCountType>>;
    /** `"days"` for the `since*` count types; left out for `imageCountMoreThan`. */
    countUnit?: In<string | undefined>;
    countNumber: In<number>;
    /** `"archive"` selects archived images and goes only with `sinceImageTransitioned`. @default "standard" */
    storageClass?: In<OpenString<LifecycleStorageClass> | undefined>;
}

/** What a lifecycle rule does with the images it selects. */
export interface LifecyclePolicyAction {
    type: In<OpenString<LifecycleActionType>>;
    /** Required with `transition` (`"archive"`), not allowed with `expire`. */
    targetStorageClass?: In<OpenString<LifecycleTargetStorageClass> | undefined>;
}

/** One lifecycle rule. Priorities are unique; an `any` rule must have the highest. */
export interface LifecyclePolicyRule {
    rulePriority: In<number>;
    description?: In<string | undefined>;
    selection: In<LifecyclePolicySelection>;
    action: In<LifecyclePolicyAction>;
}

/** A lifecycle policy document. */
export interface LifecyclePolicyDocument {
    rules: In<In<LifecyclePolicyRule>[]>;
}

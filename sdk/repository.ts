import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/repository";
import type { EncryptionTypeValue, ExclusionFilterTypeValue, ImageTagMutabilityValue } from "../provider/repository";
import type { OpenString } from "./documents";

/** How image tags may be overwritten: `MUTABLE`, `IMMUTABLE`, or either `*_WITH_EXCLUSION` with exclusion filters. */
export type ImageTagMutability = OpenString<ImageTagMutabilityValue>;
/** How images are encrypted at rest: `AES256`, `KMS` or `KMS_DSSE`. */
export type EncryptionType = OpenString<EncryptionTypeValue>;

/** Tags that stay mutable (or immutable) against the repository's setting. */
export interface ImageTagMutabilityExclusionFilter {
    /** A tag pattern; `*` is a wildcard, e.g. `"latest"` or `"dev-*"`. */
    filter: pulumi.Input<string>;
    /** @default "WILDCARD" */
    filterType?: pulumi.Input<OpenString<ExclusionFilterTypeValue>>;
}

/** How images are encrypted at rest. Cannot change after creation (changing it replaces the repository). */
export interface EncryptionConfiguration {
    /** @default "AES256" */
    encryptionType?: pulumi.Input<EncryptionType>;
    /** KMS key id, alias or ARN; only with `KMS` or `KMS_DSSE`. @default the AWS-managed `aws/ecr` key */
    kmsKey?: pulumi.Input<string>;
}

/** Arguments of {@link Repository}; names follow `aws.ecr.RepositoryArgs`. */
export interface RepositoryArgs {
    /**
     * Repository name. Changing it replaces the repository.
     * @default the resource name, lower-cased, plus a 7-character suffix derived from the organization, project, stack and resource name (the same in every run of the stack)
     */
    name?: pulumi.Input<string>;
    /** @default "MUTABLE" */
    imageTagMutability?: pulumi.Input<ImageTagMutability>;
    /** Required with the `*_WITH_EXCLUSION` mutabilities, not allowed otherwise. */
    imageTagMutabilityExclusionFilters?: pulumi.Input<pulumi.Input<ImageTagMutabilityExclusionFilter>[]>;
    /** @default { scanOnPush: false } */
    imageScanningConfiguration?: pulumi.Input<{ scanOnPush: pulumi.Input<boolean> }>;
    /** At most one entry. Changing it replaces the repository. @default [{ encryptionType: "AES256" }] */
    encryptionConfigurations?: pulumi.Input<pulumi.Input<EncryptionConfiguration>[]>;
    /** Delete the repository even if it holds images. Kept in state only. @default false */
    forceDelete?: pulumi.Input<boolean>;
    /**
     * When a repository of this name already exists, take it over (bring mutability, scanning and
     * tags in line with the program) instead of failing. From then on the stack manages it, and
     * `pulumi destroy` deletes it. This is the way to adopt a repository: the `import` option and
     * `pulumi import` do not work for dynamic resources. Kept in state only.
     * @default false
     */
    adoptExisting?: pulumi.Input<boolean>;
    /** @default {} */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Changing it replaces the repository. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

const OUTPUTS = [
    "arn",
    "name",
    "registryId",
    "repositoryUrl",
    "imageTagMutability",
    "imageTagMutabilityExclusionFilters",
    "imageScanningConfiguration",
    "encryptionConfigurations",
    "forceDelete",
    "adoptExisting",
    "tags",
    "region",
    "createdAt",
] as const;

/**
 * Who this resource is, the same in every run of the stack: organization, project, stack, the
 * chain of parents (type and name) and its own type and name, which together make its URN unique.
 * The provider derives the auto-name suffix and the ownership token from it (see the README,
 * "Reliability"). Internal; never stored in state.
 */
function resourceIdentity(name: string, opts: pulumi.CustomResourceOptions | undefined): string {
    const parts = [`ecr:Repository::${name}`];
    // `__parentResource`, `__pulumiType` and `__name` are the SDK's own fields (set by every version in
    // the peer range); the public `resourceType`/`resourceName` read the last two in newer ones.
    type Linked = pulumi.Resource & { __parentResource?: Linked; __pulumiType?: string; __name?: string };
    let parent = opts?.parent as Linked | undefined;
    for (let depth = 0; parent && depth < 64; depth++) {
        parts.unshift(`${parent.__pulumiType ?? ""}::${parent.__name ?? ""}`);
        parent = parent.__parentResource;
    }
    return [organization(), pulumi.getProject(), pulumi.getStack(), ...parts].join("/");
}

/** The stack's organization; unit tests under `setMocks` may run without one. */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "";
    }
}

/**
 * An ECR repository. Created in one `CreateRepository` call; mutability, scanning and tags update
 * in place; name, encryption and region replace it.
 *
 * @example
 * const repo = new ecr.Repository("app", { imageTagMutability: "IMMUTABLE", forceDelete: true });
 * export const url = repo.repositoryUrl;
 */
export class Repository extends pulumi.dynamic.Resource {
    /** Full ARN of the repository. */
    declare readonly arn: pulumi.Output<string>;
    /** Repository name. */
    declare readonly name: pulumi.Output<string>;
    /** Account id of the registry that holds the repository. */
    declare readonly registryId: pulumi.Output<string>;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: where images are pushed and pulled. */
    declare readonly repositoryUrl: pulumi.Output<string>;
    /** How image tags may be overwritten, as ECR reports it. */
    declare readonly imageTagMutability: pulumi.Output<ImageTagMutabilityValue>;
    /** The tags that keep the other mutability, sorted by filter; `[]` without a `*_WITH_EXCLUSION` mutability. */
    declare readonly imageTagMutabilityExclusionFilters: pulumi.Output<{ filter: string; filterType: ExclusionFilterTypeValue }[]>;
    /** Whether images are scanned for vulnerabilities when pushed. */
    declare readonly imageScanningConfiguration: pulumi.Output<{ scanOnPush: boolean }>;
    /** The one encryption setting, as ECR reports it; `kmsKey` keeps the spelling the program gave. */
    declare readonly encryptionConfigurations: pulumi.Output<{ encryptionType: EncryptionTypeValue; kmsKey?: string }[]>;
    /** Whether `pulumi destroy` deletes the repository even if it holds images. State only. */
    declare readonly forceDelete: pulumi.Output<boolean>;
    /** Whether this resource took over a repository that already existed. State only. */
    declare readonly adoptExisting: pulumi.Output<boolean>;
    /** The repository's tags. */
    declare readonly tags: pulumi.Output<Record<string, string>>;
    /** The region the repository lives in. */
    declare readonly region: pulumi.Output<string>;
    /** When ECR created the repository (ISO 8601); the provider uses it to wait out ECR's asynchronous creation. */
    declare readonly createdAt: pulumi.Output<string>;

    constructor(name: string, args: RepositoryArgs = {}, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                ...Object.fromEntries(OUTPUTS.map((k) => [k, undefined])),
                ...args,
                __autoNamePrefix: name,
                __identity: resourceIdentity(name, opts),
            },
            opts,
            "ecr",
            "Repository",
        );
    }

    /** Reads an existing repository into the program by name (its `id`), without managing it. */
    static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): Repository {
        return new Repository(name, { name: id }, { ...opts, id });
    }
}

/**
 * A Repository as check() leaves it with every default filled, and the state of one that exists:
 * the plain values unit tests hand to the provider's create/update directly.
 */
import type { RepositoryInputs, RepositoryOutputs } from "../../provider/repository";

/** check()'s inputs for repository "app" in us-east-1 with every default (tests/unit/check.test.ts spells them out). */
export function repositoryInputs(overrides: Partial<RepositoryInputs> = {}): RepositoryInputs {
    return {
        name: "app",
        imageTagMutability: "MUTABLE",
        imageTagMutabilityExclusionFilters: [],
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        adoptExisting: false,
        tags: {},
        region: "us-east-1",
        ...overrides,
    };
}

/** The state of that repository once it exists in account 123456789012. */
export function repositoryState(overrides: Partial<RepositoryOutputs> = {}): RepositoryOutputs {
    return {
        ...repositoryInputs(),
        arn: "arn:aws:ecr:us-east-1:123456789012:repository/app",
        registryId: "123456789012",
        repositoryUrl: "x/app",
        ...overrides,
    };
}

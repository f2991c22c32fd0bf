/**
 * Repository data sources: `getRepository` and `getRepositories`, each with its `...Output`
 * form. A repository read here has the fields of the `Repository` resource's outputs, plus the
 * names `aws.ecr.getRepository` uses where they differ and `mostRecentImageTags`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    GetRepositoriesArgs,
    GetRepositoriesResult,
    GetRepositoryArgs,
    RepositoryResult,
    readRepositories,
    readRepository,
} from "./readers/repositories";
import { InputArgs, invokeOutput, withStackRegion } from "./dataSource";

export type { GetRepositoriesArgs, GetRepositoriesResult, GetRepositoryArgs };
/** What {@link getRepository} returns. */
export type GetRepositoryResult = RepositoryResult;
export type { RepositoryResult };

/** Arguments of {@link getRepositoryOutput}: those of {@link getRepository}, each an `Input`. */
export interface GetRepositoryOutputArgs extends InputArgs<GetRepositoryArgs> {}
/** Arguments of {@link getRepositoriesOutput}: those of {@link getRepositories}, each an `Input`. */
export interface GetRepositoriesOutputArgs extends InputArgs<GetRepositoriesArgs> {}

/**
 * One repository by name. Calls: DescribeRepositories, ListTagsForResource, and one
 * DescribeImages per 1000 images (for `mostRecentImageTags`). A missing repository is an error
 * that names it.
 *
 * @example
 * const repo = await ecr.getRepository({ name: "app" });
 * // repo.repositoryUrl, repo.arn, repo.mostRecentImageTags, ...
 */
export function getRepository(args: GetRepositoryArgs, _opts?: pulumi.InvokeOptions): Promise<GetRepositoryResult> {
    return readRepository(withStackRegion(args));
}

/** {@link getRepository} over `Input` arguments, as an `Output`. */
export function getRepositoryOutput(args: GetRepositoryOutputArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<GetRepositoryResult> {
    return invokeOutput(args, opts, getRepository);
}

/**
 * Every repository of the registry: one DescribeRepositories per 1000 repositories, then each
 * repository's tags and most recent image (skip those with `namesOnly: true`).
 *
 * @example
 * const { names } = await ecr.getRepositories({ namesOnly: true });
 */
export function getRepositories(args: GetRepositoriesArgs = {}, _opts?: pulumi.InvokeOptions): Promise<GetRepositoriesResult> {
    return readRepositories(withStackRegion(args ?? {}));
}

/** {@link getRepositories} over `Input` arguments, as an `Output`. */
export function getRepositoriesOutput(
    args: GetRepositoriesOutputArgs = {},
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetRepositoriesResult> {
    return invokeOutput(args, opts, getRepositories);
}

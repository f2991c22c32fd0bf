/**
 * Repositories as data: `getRepository` and `getRepositories`. They reuse the Repository
 * resource's finder and state mapping (`findRepositoryByName`, `findRepositoryTags`,
 * `repositoryState`), so a repository read here has exactly the fields of a managed one, plus
 * `aws.ecr.getRepository`'s names where they differ and `mostRecentImageTags`.
 */
import { ECRClient, Repository as EcrRepository, paginateDescribeRepositories } from "@aws-sdk/client-ecr";
import { PAGE_SIZE, assertValid, checkRegistryId, clientFor } from "./common";
import { NotFoundError, wrap } from "../../provider/errors";
import { findMostRecentImage } from "./images";
import { RepositoryOutputs, findRepositoryByName, findRepositoryTags, repositoryState, userTags } from "../../provider/repository";
import { Failures } from "../../provider/validate";

const KIND = "Repository";
/** How many repositories `getRepositories` reads details of at once. */
const DETAIL_CONCURRENCY = 4;

/** A repository as the data sources report it. */
export interface RepositoryResult extends Omit<RepositoryOutputs, "forceDelete"> {
    /** The repository name (as `aws.ecr.getRepository` sets `id`). */
    id: string;
    /** `aws.ecr.getRepository`'s spelling of `imageScanningConfiguration`: a one-element list. */
    imageScanningConfigurations: { scanOnPush: boolean }[];
    /** Tags of the most recently pushed image; `[]` when the repository is empty or that image is untagged (as `aws.ecr.getRepository`). */
    mostRecentImageTags: string[];
    /** When the repository was created, as an ISO 8601 string. */
    createdAt?: string;
}

/** Arguments of `getRepository`; names follow `aws.ecr.getRepository`. */
export interface GetRepositoryArgs {
    /** Name of the repository. */
    name: string;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** Arguments of `getRepositories`. */
export interface GetRepositoriesArgs {
    /** Account id of the registry. @default the caller's own registry */
    registryId?: string;
    /**
     * Return only `names` and skip the per-repository reads (tags and most recent image), which cost
     * one ListTagsForResource and one DescribeImages page per 1000 images for each repository.
     * @default false
     */
    namesOnly?: boolean;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getRepositories` returns. */
export interface GetRepositoriesResult {
    /** The region (as `aws.ecr.getRepositories` sets `id`). */
    id: string;
    /** Every repository name, sorted (as `aws.ecr.getRepositories`). */
    names: string[];
    /** Every repository with the fields of `getRepository`, sorted by name; `[]` with `namesOnly`. */
    repositories: RepositoryResult[];
    /** The region the repositories were listed in. */
    region: string;
}

/** Checks `getRepository` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetRepositoryArgs(args: GetRepositoryArgs): void {
    const f = new Failures();
    f.repositoryName("name", args?.name);
    checkRegistryId(f, "registryId", args?.registryId);
    f.region("region", args?.region);
    assertValid("getRepository", f);
}

/** Checks `getRepositories` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetRepositoriesArgs(args: GetRepositoriesArgs | undefined): void {
    const f = new Failures();
    checkRegistryId(f, "registryId", args?.registryId);
    f.bool("namesOnly", args?.namesOnly);
    f.region("region", args?.region);
    assertValid("getRepositories", f);
}

/** The details of a repository already described: one ListTagsForResource, one DescribeImages page per 1000 images. */
async function repositoryDetails(client: ECRClient, repo: EcrRepository, region: string): Promise<RepositoryResult> {
    const name = repo.repositoryName ?? "";
    const [tags, newest] = await Promise.all([
        findRepositoryTags(client, repo.repositoryArn!),
        findMostRecentImage(client, name, repo.registryId),
    ]);
    const { forceDelete: _f, ...state } = repositoryState(repo, { tags: userTags(tags), region, forceDelete: false });
    return {
        id: name,
        ...state,
        imageScanningConfigurations: [state.imageScanningConfiguration],
        mostRecentImageTags: [...(newest?.imageTags ?? [])].sort(),
        ...(repo.createdAt ? { createdAt: repo.createdAt.toISOString() } : {}),
    };
}

/** One repository by name: DescribeRepositories, ListTagsForResource, and DescribeImages pages for `mostRecentImageTags`. */
export async function readRepository(args: GetRepositoryArgs, client?: ECRClient): Promise<RepositoryResult> {
    validateGetRepositoryArgs(args);
    const { client: c, region } = await clientFor(args.region, client);
    return wrap("reading", KIND, args.name, async () =>
        repositoryDetails(c, await findRepositoryByName(c, args.name, args.registryId), region),
    );
}

/**
 * Every repository in the registry: one DescribeRepositories page per 1000 repositories, then
 * (unless `namesOnly`) each repository's details, a few at a time.
 */
export async function readRepositories(args: GetRepositoriesArgs = {}, client?: ECRClient): Promise<GetRepositoriesResult> {
    validateGetRepositoriesArgs(args);
    const { client: c, region } = await clientFor(args.region, client);
    const repos: EcrRepository[] = [];
    await wrap("listing", "Repositories", args.registryId ?? region, async () => {
        for await (const page of paginateDescribeRepositories({ client: c, pageSize: PAGE_SIZE }, { registryId: args.registryId })) {
            repos.push(...(page.repositories ?? []));
        }
    });
    repos.sort((a, b) => ((a.repositoryName ?? "") < (b.repositoryName ?? "") ? -1 : 1));
    const names = repos.map((r) => r.repositoryName ?? "");
    if (args.namesOnly) return { id: region, names, repositories: [], region };

    const details: (RepositoryResult | undefined)[] = new Array(repos.length);
    let next = 0;
    const worker = async () => {
        while (next < repos.length) {
            const i = next++;
            try {
                details[i] = await wrap("reading", KIND, names[i], () => repositoryDetails(c, repos[i], region));
            } catch (e) {
                // Deleted between the listing and this read: it is no longer in the registry.
                if (!(e instanceof NotFoundError)) throw e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, repos.length) }, worker));
    const repositories = details.filter((r): r is RepositoryResult => r !== undefined);
    return { id: region, names: repositories.map((r) => r.name), repositories, region };
}

/** Random repository names under a fixed prefix, and a sweeper that removes leftovers. */
import { randomBytes } from "node:crypto";
import { DeleteRepositoryCommand, ECRClient, paginateDescribeRepositories } from "@aws-sdk/client-ecr";

export const TEST_PREFIX = "tf-acc-pulumi-ecr";

export function randomName(label = ""): string {
    return `${TEST_PREFIX}${label ? `-${label}` : ""}-${randomBytes(4).toString("hex")}`;
}

/** Deletes every repository under the test prefix (force), returning how many went. */
export async function sweep(client: ECRClient): Promise<number> {
    let n = 0;
    for await (const page of paginateDescribeRepositories({ client, pageSize: 100 }, {})) {
        for (const r of page.repositories ?? []) {
            if (!r.repositoryName?.startsWith(TEST_PREFIX)) continue;
            await client.send(new DeleteRepositoryCommand({ repositoryName: r.repositoryName, force: true })).catch(() => undefined);
            n++;
        }
    }
    return n;
}

/**
 * What the operation modules share: the operation signature, the repository a request names,
 * timestamps in ECR's form, and the opaque pagination tokens.
 */
import type { ApiContext } from "../context";
import { invalidParameter } from "../exceptions";
import { type Repository, lookupRepository } from "../store";
import * as v from "../validate";
import type { Json } from "../validate";

export type { ApiContext, EndpointConfig } from "../context";

/** One JSON API operation: the parsed request in, the response body out (or an `EcrException` thrown). */
export type Operation = (ctx: ApiContext, input: Json) => Json;

/** A table of operations by the name in `X-Amz-Target`; each module exports one. */
export type OperationTable = Record<string, Operation>;

const DEFAULT_PAGE_SIZE = 100;

/** Epoch milliseconds as the epoch seconds the JSON protocol carries. */
export const seconds = (ms: number): number => ms / 1000;

/** The request's `registryId` (12 digits) or the endpoint's own. */
export function registryIdOf(ctx: ApiContext, input: Json): string {
    const id = v.optionalString(input, "registryId");
    if (id !== undefined && !/^[0-9]{12}$/.test(id)) throw v.registryIdError();
    return id ?? ctx.config.accountId;
}

/** The visible repository the request names (`repositoryName`, `registryId`). */
export function requestedRepository(ctx: ApiContext, input: Json): Repository {
    const registryId = registryIdOf(ctx, input);
    return lookupRepository(ctx.store, ctx.config.accountId, v.repositoryName(input), registryId);
}

interface PageToken {
    op: string;
    scope: string;
    after: string;
}

/**
 * Pages through `items` sorted by `key`. The token is opaque to callers and names the last key
 * served, so a page boundary stays put while other items come and go.
 */
export function paginate<T>(
    items: T[],
    key: (t: T) => string,
    input: Json,
    op: string,
    scope: string,
    limit: number | undefined,
): { page: T[]; nextToken?: string } {
    const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const tokenText = v.optionalString(input, "nextToken");
    let start = 0;
    if (tokenText !== undefined) {
        let token: PageToken;
        try {
            token = JSON.parse(Buffer.from(tokenText, "base64url").toString("utf8")) as PageToken;
        } catch {
            throw invalidParameter("nextToken", "Invalid NextToken");
        }
        if (!token || token.op !== op || token.scope !== scope || typeof token.after !== "string") {
            throw invalidParameter("nextToken", "Invalid NextToken");
        }
        start = sorted.findIndex((t) => key(t) > token.after);
        if (start < 0) start = sorted.length;
    }
    const size = limit ?? DEFAULT_PAGE_SIZE;
    const page = sorted.slice(start, start + size);
    if (start + size >= sorted.length) return { page };
    const next: PageToken = { op, scope, after: key(page[page.length - 1]) };
    return { page, nextToken: Buffer.from(JSON.stringify(next)).toString("base64url") };
}

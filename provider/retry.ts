/**
 * Narrow, named retries for ECR's eventual consistency and IAM propagation. Throttling and 5xx
 * are not handled here: the SDK's standard retry strategy owns them.
 */
import { isA } from "./errors";

export interface RetryOptions {
    /** Give up after this long. */
    timeoutMs: number;
    /** First back-off delay; doubles up to `maxDelayMs`. */
    initialDelayMs?: number;
    maxDelayMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` while `retryable(err)` holds, for at most `timeoutMs`; rethrows the last error. */
export async function retryWhile<T>(fn: () => Promise<T>, retryable: (err: unknown) => boolean, opts: RetryOptions): Promise<T> {
    const deadline = Date.now() + opts.timeoutMs;
    let delay = opts.initialDelayMs ?? 250;
    const maxDelay = opts.maxDelayMs ?? 5_000;
    for (;;) {
        try {
            return await fn();
        } catch (e) {
            if (!retryable(e) || Date.now() + delay > deadline) throw e;
            await sleep(delay);
            delay = Math.min(delay * 2, maxDelay);
        }
    }
}

/** How long to wait for IAM to see a principal named in a fresh repository policy (AWS documents minutes). */
export const iamPropagationTimeoutMs = (): number => Number(process.env.PULUMI_ECR_IAM_PROPAGATION_TIMEOUT_MS) || 120_000;
/** How long a just-created repository may stay invisible to the calls that attach policies to it. */
export const createVisibilityTimeoutMs = (): number => Number(process.env.PULUMI_ECR_VISIBILITY_TIMEOUT_MS) || 60_000;

/**
 * ECR answers SetRepositoryPolicy with InvalidParameterException "Invalid repository policy
 * provided" while a principal named in it has not yet propagated through IAM. Only that.
 */
export function isIamPropagationError(err: unknown): boolean {
    if (!isA(err, "InvalidParameterException")) return false;
    const msg = err instanceof Error ? err.message : "";
    return /Invalid repository policy provided/i.test(msg) || /principal.*(not found|does not exist|invalid)/i.test(msg);
}

/**
 * True when `err` is the answer to a repeat of the call: the AWS SDK sent it more than once, so an
 * earlier attempt may have been applied and its reply lost (a timeout, a cut connection). A create
 * that meets "already exists" on its first attempt met someone else's object; on a repeat, it may
 * have met its own.
 */
export function answeredARepeat(err: unknown): boolean {
    const attempts = (err as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
    return typeof attempts === "number" && attempts > 1;
}

/**
 * For a create whose repeat met "already exists" ({@link answeredARepeat}), for an object that
 * carries no ownership tag (pull through cache rules, creation templates, pull-time exclusions):
 * the object is taken as this create's own when it is exactly what the create asked for (the
 * resource's own `diff` sees no change between it and the inputs). Returns the create's result, or
 * undefined when the object differs (someone else's: the caller reports the conflict).
 */
export async function takeBackIfSame<I, O>(
    id: string,
    inputs: I,
    read: (id: string, props: Partial<O>) => Promise<{ id?: string; props?: unknown }>,
    diff: (id: string, olds: O, news: I) => Promise<{ changes?: boolean }>,
): Promise<{ id: string; outs: O } | undefined> {
    const found = await read(id, inputs as unknown as Partial<O>);
    if (!found.id || !found.props) return undefined;
    const d = await diff(found.id, found.props as O, inputs);
    return d.changes === false ? { id: found.id, outs: found.props as O } : undefined;
}

/**
 * ECR creates a repository asynchronously: right after CreateRepository returns, DescribeRepositories
 * (and every call that names the repository) may still answer RepositoryNotFoundException. AWS
 * support said so in terraform-provider-aws#3849, which is why Terraform's provider retries a read
 * after create. A repository whose state says it was created less than {@link createVisibilityTimeoutMs}
 * ago may be in that window: not found then means "not yet", not "gone".
 *
 * Returns how long a not-found answer about a repository created at `createdAt` (ISO 8601, ECR's
 * own creation time) is still worth retrying: 0 when it is older than the window or unknown (then
 * not found means gone, as before). Never more than the window itself, so clock skew between this
 * machine and AWS cannot stretch the wait.
 */
export function newResourceWindowMs(createdAt: string | undefined, now = Date.now()): number {
    const created = createdAt ? Date.parse(createdAt) : NaN;
    if (!Number.isFinite(created)) return 0;
    const window = createVisibilityTimeoutMs();
    return Math.max(0, Math.min(window, created + window - now));
}

/**
 * Runs `fn`, retrying while it fails with `notFound(err)` and the resource created at `createdAt` may
 * still be becoming visible (see {@link newResourceWindowMs}); any other error, or a not-found after
 * the window, is thrown as is. Read, update and delete of a Repository use it, so that a refresh,
 * update or destroy right after create neither drops the repository from state nor leaves it behind.
 */
export function retryWhileNew<T>(createdAt: string | undefined, fn: () => Promise<T>, notFound: (err: unknown) => boolean): Promise<T> {
    const timeoutMs = newResourceWindowMs(createdAt);
    if (timeoutMs === 0) return fn();
    return retryWhile(fn, notFound, { timeoutMs, initialDelayMs: 100, maxDelayMs: 2_000 });
}

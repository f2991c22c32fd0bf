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

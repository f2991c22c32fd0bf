/**
 * Coalesces look-ups that arrive together in the provider process into one batched call, the way
 * `pulumi refresh` of hundreds of repositories sends hundreds of concurrent `read`s: one
 * DescribeRepositories of up to 100 names instead of one call per name.
 *
 * A batch collects names for a short window after its first name arrives; it is sent when the
 * window ends (but not while the previous batch of the same key is still out: names keep
 * collecting until it answers, as in Nagle's algorithm) or at once when it holds `max` names.
 * Every waiter gets its own answer: the found value, `undefined` when the batch did not return its
 * name, or the batch's error.
 */

/** How to run one kind of batched look-up; `key` separates batches that cannot share a call (region, registry). */
export interface BatchLookup<T> {
    /** Names with the same key go into the same call. */
    key: string;
    /** At most this many distinct names per call. */
    max: number;
    /** How long a batch waits for more names after its first, in milliseconds. */
    windowMs: number;
    /** Looks up `names` in one go: the values found, by name; a name left out means "not there". Throws when the whole call fails. */
    run(names: string[]): Promise<Map<string, T>>;
}

interface Waiter {
    name: string;
    resolve(value: unknown): void;
    reject(err: unknown): void;
}
interface Pending {
    waiters: Waiter[];
    names: Set<string>;
    run(names: string[]): Promise<Map<string, unknown>>;
    timer?: ReturnType<typeof setTimeout>;
    due: boolean;
}
interface Queue {
    /** The batch still collecting names, if any. */
    open?: Pending;
    /** Calls sent and not yet answered. */
    inFlight: number;
}

/**
 * The process's batches, on `globalThis` rather than in module variables: a provider stored by
 * value gets its own copy of each module variable per stored function (see provider/client.ts).
 */
function queues(): Map<string, Queue> {
    const g = globalThis as { __pulumiEcrBatches?: Map<string, Queue> };
    return (g.__pulumiEcrBatches ??= new Map());
}

/** The value `spec.run` returns for `name` when `name` is batched with the other look-ups of the same key that arrive meanwhile. */
export function lookupCoalesced<T>(spec: BatchLookup<T>, name: string): Promise<T | undefined> {
    const all = queues();
    let queue = all.get(spec.key);
    if (!queue) all.set(spec.key, (queue = { inFlight: 0 }));
    const q = queue;
    let batch = q.open;
    if (!batch) {
        const b: Pending = { waiters: [], names: new Set(), run: spec.run as Pending["run"], due: false };
        b.timer = setTimeout(() => {
            b.due = true;
            if (q.inFlight === 0) send(spec.key, q, b);
        }, spec.windowMs);
        q.open = batch = b;
    }
    const b = batch;
    const answer = new Promise<T | undefined>((resolve, reject) => b.waiters.push({ name, resolve: resolve as Waiter["resolve"], reject }));
    b.names.add(name);
    if (b.names.size >= spec.max) send(spec.key, q, b);
    return answer;
}

function send(key: string, q: Queue, b: Pending): void {
    if (q.open !== b) return; // already sent
    q.open = undefined;
    if (b.timer) clearTimeout(b.timer);
    q.inFlight++;
    let call: Promise<Map<string, unknown>>;
    try {
        call = b.run([...b.names]);
    } catch (e) {
        call = Promise.reject(e);
    }
    call.then(
        (found) => b.waiters.forEach((w) => w.resolve(found.get(w.name))),
        (err) => b.waiters.forEach((w) => w.reject(err)),
    ).finally(() => {
        q.inFlight--;
        // The next batch waited for this one: send it now if its window has ended.
        const next = q.open;
        if (next?.due && q.inFlight === 0) send(key, q, next);
        else if (!next && q.inFlight === 0) queues().delete(key);
    });
}

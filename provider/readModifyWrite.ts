/**
 * Read-modify-write for one part of a registry singleton (a statement of the registry policy, a
 * rule of the replication configuration). ECR has no conditional write, so two stacks editing the
 * same document can race: A reads, B reads, A writes, B writes and A's part is gone. Each writer
 * therefore reads again after writing and checks that its own part is as it left it; when a
 * concurrent writer replaced the document with a copy that lacks it, the whole cycle runs again.
 * The loser of a race always notices, because it checks its own part, never someone else's.
 */

/** How many read-modify-write cycles a part gets before giving up. */
export const MAX_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReadModifyWrite<D> {
    /** Reads the whole document as it is now. */
    read(): Promise<D>;
    /** The document with this part changed, or `undefined` when the document already is as wanted. */
    change(current: D): D | undefined;
    /** Writes the whole document. */
    write(next: D): Promise<void>;
    /** True when `doc` holds this part as wanted (the confirm after the write). */
    confirmed(doc: D): boolean;
}

/**
 * Runs the cycle until the confirm read shows this part in place; returns the confirmed document.
 * Throws when `attempts` cycles all lost to concurrent writers (the last read is in the message).
 */
export async function writePart<D>(rmw: ReadModifyWrite<D>, attempts = MAX_ATTEMPTS): Promise<D> {
    let last: D | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
        const current = await rmw.read();
        const next = rmw.change(current);
        if (next === undefined) return current;
        await rmw.write(next);
        last = await rmw.read();
        if (rmw.confirmed(last)) return last;
        // A concurrent writer replaced the document with a copy that lacks this part: back off a
        // little (with jitter, so two losers do not collide again in lockstep) and run again.
        await sleep(50 * attempt + Math.floor(Math.random() * 100));
    }
    throw new Error(
        `another writer kept changing the document at the same time; ${attempts} read-modify-write cycles did not stick (last read: ${JSON.stringify(last)})`,
    );
}

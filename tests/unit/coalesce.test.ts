/**
 * provider/coalesce.ts: concurrent look-ups share one batched call; each waiter gets its own
 * answer (value, missing, or the batch's error); batches hold at most `max` names; a batch waits
 * while the previous one of the same key is out.
 */
import * as assert from "node:assert/strict";
import { type BatchLookup, lookupCoalesced } from "../../provider/coalesce";

/** A look-up whose calls are recorded; `table` is what exists; `gate` (when set) holds each call until released. */
function recorder(table: Record<string, number>, opts: { max?: number; fail?: (names: string[]) => Error | undefined } = {}) {
    const calls: string[][] = [];
    const release: (() => void)[] = [];
    let held = false;
    const spec: BatchLookup<number> = {
        key: `test-${Math.random()}`,
        max: opts.max ?? 100,
        windowMs: 1,
        async run(names) {
            calls.push(names);
            if (held) await new Promise<void>((r) => release.push(r));
            const err = opts.fail?.(names);
            if (err) throw err;
            return new Map(names.filter((n) => n in table).map((n) => [n, table[n]]));
        },
    };
    return {
        spec,
        calls,
        hold: () => (held = true),
        releaseAll: () => {
            held = false;
            release.splice(0).forEach((r) => r());
        },
        pending: () => release.length,
    };
}

/** Resolves once `cond()` is true, polling the event loop a bounded number of times. */
async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
    assert.ok(cond(), "condition not reached");
}

describe("lookupCoalesced (provider/coalesce.ts)", () => {
    it("GIVEN look-ups that arrive together THEN one call answers each with its own value, whatever the order", async () => {
        const r = recorder({ a: 1, b: 2, c: 3 });
        const got = await Promise.all(["c", "a", "b", "a"].map((n) => lookupCoalesced(r.spec, n)));
        assert.deepEqual(got, [3, 1, 2, 1]);
        assert.equal(r.calls.length, 1);
        assert.deepEqual([...r.calls[0]].sort(), ["a", "b", "c"], "each name asked once");
    });

    it("GIVEN a name the call does not return THEN only that waiter gets undefined", async () => {
        const r = recorder({ a: 1 });
        const got = await Promise.all(["a", "gone"].map((n) => lookupCoalesced(r.spec, n)));
        assert.deepEqual(got, [1, undefined]);
    });

    it("GIVEN more names than `max` THEN calls of at most `max` names cover them all", async () => {
        const table = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`r${i}`, i]));
        const r = recorder(table, { max: 100 });
        const got = await Promise.all(Object.keys(table).map((n) => lookupCoalesced(r.spec, n)));
        assert.deepEqual(got, Object.values(table));
        assert.deepEqual(
            r.calls.map((c) => c.length),
            [100, 100, 50],
        );
    });

    it("GIVEN the call fails THEN every waiter of that batch fails with the error, and later look-ups start afresh", async () => {
        let failing = true;
        const r = recorder({ a: 1, b: 2 }, { fail: () => (failing ? new Error("AccessDenied") : undefined) });
        const got = await Promise.allSettled(["a", "b"].map((n) => lookupCoalesced(r.spec, n)));
        assert.deepEqual(
            got.map((g) => g.status === "rejected" && (g.reason as Error).message),
            ["AccessDenied", "AccessDenied"],
        );
        failing = false;
        assert.equal(await lookupCoalesced(r.spec, "b"), 2);
        assert.equal(r.calls.length, 2);
    });

    it("GIVEN a batch is out THEN names arriving meanwhile wait for it and go together in the next call", async () => {
        const r = recorder({ a: 1, b: 2, c: 3, d: 4 });
        r.hold();
        const first = lookupCoalesced(r.spec, "a");
        await until(() => r.pending() === 1);
        const later = ["b", "c", "d"].map((n) => lookupCoalesced(r.spec, n));
        // A look-up of another key, with the same window, started later: once it is answered, the
        // second batch's window has ended too (timers of equal length fire in order).
        const other = recorder({ x: 0 });
        assert.equal(await lookupCoalesced(other.spec, "x"), 0);
        assert.equal(r.calls.length, 1, "the second batch waits for the first");
        r.releaseAll();
        assert.equal(await first, 1);
        assert.deepEqual(await Promise.all(later), [2, 3, 4]);
        assert.deepEqual(r.calls, [["a"], ["b", "c", "d"]]);
    });
});

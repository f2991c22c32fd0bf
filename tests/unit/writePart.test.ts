/**
 * writePart(): the read-modify-write cycle the per-part resources (RegistryPolicyStatement,
 * ReplicationRule) share, against an in-memory document with a scripted concurrent writer.
 * GIVEN another writer that replaces the document between this writer's write and its confirm read
 * THEN the confirm read shows this part missing, the cycle runs again, and both parts end up in place;
 * and a writer that loses every time gives up after MAX_ATTEMPTS cycles, saying why.
 */
import * as assert from "node:assert/strict";
import { MAX_ATTEMPTS, writePart } from "../../provider/readModifyWrite";

/** A shared document of named parts, and a hook that runs after each of our writes (the "other stack"). */
function store(initial: string[]) {
    let doc = [...initial];
    const calls = { reads: 0, writes: 0 };
    let afterWrite: ((written: string[]) => void) | undefined;
    return {
        calls,
        get doc() {
            return doc;
        },
        set doc(d: string[]) {
            doc = d;
        },
        onWrite(fn: (written: string[]) => void) {
            afterWrite = fn;
        },
        part(name: string) {
            return {
                read: async () => {
                    calls.reads++;
                    return [...doc];
                },
                change: (current: string[]) => (current.includes(name) ? undefined : [...current, name]),
                write: async (next: string[]) => {
                    calls.writes++;
                    doc = [...next];
                    afterWrite?.(next);
                },
                confirmed: (d: string[]) => d.includes(name),
            };
        },
    };
}

describe("writePart (read-modify-write with a confirm read)", () => {
    it("writes once and confirms when nobody else writes", async () => {
        const s = store(["theirs"]);
        const out = await writePart(s.part("mine"));
        assert.deepEqual(out, ["theirs", "mine"]);
        assert.deepEqual(s.calls, { reads: 2, writes: 1 });
    });

    it("does not write when its part is already there", async () => {
        const s = store(["mine"]);
        await writePart(s.part("mine"));
        assert.deepEqual(s.calls, { reads: 1, writes: 0 });
    });

    it("runs again when a concurrent writer's stale copy dropped its part, keeping both", async () => {
        const s = store([]);
        let raced = false;
        // The other stack read the document before our write, and writes its copy (with its part) right after ours.
        s.onWrite(() => {
            if (raced) return;
            raced = true;
            s.doc = ["other"];
        });
        const out = await writePart(s.part("mine"));
        assert.deepEqual([...out].sort(), ["mine", "other"]);
        assert.equal(s.calls.writes, 2, "the first write was lost and redone");
    });

    it(`gives up after ${MAX_ATTEMPTS} lost cycles, naming the cause`, async () => {
        const s = store([]);
        s.onWrite(() => (s.doc = ["other"]));
        await assert.rejects(
            writePart(s.part("mine")),
            /another writer kept changing the document at the same time; 5 read-modify-write cycles did not stick/,
        );
        assert.equal(s.calls.writes, MAX_ATTEMPTS);
    });

    it("passes a refusal from change() through without writing", async () => {
        const s = store(["x"]);
        const part = {
            ...s.part("mine"),
            change: () => {
                throw new Error("refused: Sid taken");
            },
        };
        await assert.rejects(writePart(part), /refused: Sid taken/);
        assert.equal(s.calls.writes, 0);
    });
});

/**
 * ECR Registry Policy Statement: one statement of the registry's policy, keyed by its `Sid`, so
 * that several stacks can share the registry's one policy. Each write reads the current policy,
 * changes only the statement with this Sid, writes the document back and reads it again to confirm
 * (see readModifyWrite.ts); statements with other Sids are never touched. Deleting the last
 * statement deletes the policy.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { DeleteRegistryPolicyCommand, ECRClient, PutRegistryPolicyCommand } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, isA, wrap } from "./errors";
import { Json, JsonObject, canonicalJson, parsePolicy } from "./policyDocument";
import { iamPoliciesEquivalent, validateIamPolicy } from "./repositoryPolicy";
import { writePart } from "./readModifyWrite";
import { POLICY_VERSION, REGISTRY_POLICY_GONE, findRegistryPolicy, sidOf, statementKey, statementsOf } from "./registryPolicy";
import { containsUnknown, Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Registry Policy Statement";
/** IAM's rule for a statement id: ASCII letters and digits. */
export const SID_PATTERN = /^[A-Za-z0-9]+$/;

/** Inputs after `check()`. */
export interface RegistryPolicyStatementInputs {
    /** The statement's Sid (taken from the statement): its key in the registry's policy. */
    sid: string;
    /** The statement as canonical JSON. */
    statement: string;
    region: string;
}

/** What the resource reports. */
export interface RegistryPolicyStatementOutputs extends RegistryPolicyStatementInputs {
    registryId: string;
}

/** The registry's policy as read for one cycle. */
interface Snapshot {
    doc: JsonObject | undefined;
    registryId: string;
}

// ---------- check / diff ----------

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    let statement: unknown = n.statement;
    let sid: unknown = UNKNOWN;
    if (statement === undefined || statement === null) {
        f.add(
            "statement",
            'is required: give one policy statement with a `Sid`, e.g. { Sid: "ReplicateFromProd", Effect: "Allow", Principal: {...}, Action: [...], Resource: [...] }',
        );
    } else if (containsUnknown(statement)) {
        // The Sid is the resource's key: it must be known even while other fields wait on outputs.
        sid = typeof statement === "object" && statement !== null ? (statement as { Sid?: unknown }).Sid : UNKNOWN;
        if (sid === UNKNOWN || sid === undefined) sid = UNKNOWN;
        statement = UNKNOWN;
    } else {
        const parsed = parsePolicy(statement);
        if ("error" in parsed) f.add("statement", parsed.error.replace("a policy document", "one policy statement"));
        else {
            const st = parsed.doc;
            sid = st.Sid;
            if (st.Statement !== undefined) {
                f.add(
                    "statement",
                    "is a whole policy document; give one statement (its `Sid`, `Effect`, `Principal`, `Action`, `Resource`), or use RegistryPolicy for a whole document",
                );
            } else {
                for (const problem of validateIamPolicy({ Statement: [st] }))
                    f.add("statement", problem.replace(/^Statement\[0\]\.?/, "").trim() || problem);
            }
            statement = canonicalJson(st);
        }
    }
    if (sid !== UNKNOWN) {
        if (typeof sid !== "string" || sid === "") {
            f.add(
                "statement.Sid",
                "is required: the Sid is this statement's key in the registry's shared policy; give it letters and digits, e.g. \"ReplicateFromProd\"",
            );
        } else if (!SID_PATTERN.test(sid)) {
            f.add("statement.Sid", `must be ASCII letters and digits only (IAM's rule), got ${JSON.stringify(sid)}`);
        }
    }
    const region = await f.regionOrDefault("region", n.region);
    return { inputs: { sid, statement, region }, failures: f.list };
}

export async function diff(
    _id: string,
    olds: RegistryPolicyStatementOutputs,
    news: RegistryPolicyStatementInputs,
): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (news.sid === UNKNOWN || olds.sid !== news.sid) replaces.push("statement.Sid");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    const changed = news.statement === UNKNOWN || !sameStatement(olds.statement, news.statement);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

const sameStatement = (a: unknown, b: unknown) => iamPoliciesEquivalent({ Statement: [asJson(a)] }, { Statement: [asJson(b)] });
const asJson = (v: unknown): Json => {
    if (typeof v !== "string") return v as Json;
    try {
        return JSON.parse(v) as Json;
    } catch {
        return v;
    }
};

// ---------- the read-modify-write cycle ----------

async function snapshot(client: ECRClient): Promise<Snapshot> {
    try {
        const found = await findRegistryPolicy(client);
        const parsed = parsePolicy(found.policy);
        return { doc: "error" in parsed ? undefined : parsed.doc, registryId: found.registryId };
    } catch (e) {
        if (e instanceof NotFoundError) return { doc: undefined, registryId: "" };
        throw e;
    }
}

async function writeSnapshot(client: ECRClient, next: Snapshot): Promise<void> {
    if (statementsOf(next.doc).length === 0) {
        try {
            await client.send(new DeleteRegistryPolicyCommand({}));
        } catch (e) {
            if (!isA(e, ...REGISTRY_POLICY_GONE)) throw e;
        }
        return;
    }
    await client.send(new PutRegistryPolicyCommand({ policyText: canonicalJson(next.doc) }));
}

const withSid = (snap: Snapshot, sid: string) => statementsOf(snap.doc).find((st) => sidOf(st) === sid);

/** Puts `statement` under its Sid; `takeOver` says whether a different statement with that Sid may be replaced. */
async function putStatement(client: ECRClient, sid: string, statement: string, takeOver: boolean): Promise<Snapshot> {
    const mine = JSON.parse(statement) as Json;
    const key = statementKey(mine);
    return writePart<Snapshot>({
        read: () => snapshot(client),
        change(current) {
            const existing = withSid(current, sid);
            if (existing !== undefined && statementKey(existing) === key) return undefined;
            if (existing !== undefined && !takeOver) {
                throw new EcrError(
                    "creating",
                    KIND,
                    sid,
                    new Error(`the registry's policy already has a different statement with Sid "${sid}"`),
                    "another stack or a RegistryPolicy manages that Sid; give this statement another `Sid`, or remove the other one first",
                );
            }
            const others = statementsOf(current.doc).filter((st) => sidOf(st) !== sid);
            const base: JsonObject = current.doc ?? { Version: POLICY_VERSION };
            return { doc: { ...base, Statement: [...others, mine] }, registryId: current.registryId };
        },
        write: (next) => writeSnapshot(client, next),
        confirmed: (doc) => {
            const st = withSid(doc, sid);
            return st !== undefined && statementKey(st) === key;
        },
    });
}

// ---------- create / read / update / delete ----------

export async function create(inputs: RegistryPolicyStatementInputs): Promise<dynamic.CreateResult> {
    const client = ecrClient(inputs.region);
    const snap = await wrap("creating", KIND, inputs.sid, () => putStatement(client, inputs.sid, inputs.statement, false));
    const outs: RegistryPolicyStatementOutputs = { ...inputs, registryId: snap.registryId };
    return { id: inputs.sid, outs };
}

export async function read(id: string, props: Partial<RegistryPolicyStatementOutputs>): Promise<dynamic.ReadResult> {
    const sid = props.sid || id;
    const region = await resolveRegion(props.region);
    const snap = await wrap("reading", KIND, sid, () => snapshot(ecrClient(region)));
    const found = withSid(snap, sid);
    if (found === undefined) return { id: "" };
    // Keep the spelling already in state when ECR's copy means the same: no phantom diff.
    const statement = props.statement && sameStatement(props.statement, found) ? props.statement : canonicalJson(found);
    const outs: RegistryPolicyStatementOutputs = { sid, statement, region, registryId: snap.registryId };
    return { id: sid, props: outs };
}

export async function update(
    _id: string,
    olds: RegistryPolicyStatementOutputs,
    news: RegistryPolicyStatementInputs,
): Promise<dynamic.UpdateResult> {
    const client = ecrClient(news.region);
    const snap = await wrap("updating", KIND, news.sid, () => putStatement(client, news.sid, news.statement, true));
    return { outs: { ...news, registryId: snap.registryId || olds.registryId } };
}

/** Removes the statement with this Sid (and the policy, when it was the last statement). */
export async function remove(id: string, props: RegistryPolicyStatementOutputs): Promise<void> {
    const sid = props.sid || id;
    const client = ecrClient(props.region);
    try {
        await writePart<Snapshot>({
            read: () => snapshot(client),
            change: (current) =>
                withSid(current, sid) === undefined
                    ? undefined
                    : {
                          doc: { ...(current.doc ?? {}), Statement: statementsOf(current.doc).filter((st) => sidOf(st) !== sid) },
                          registryId: current.registryId,
                      },
            write: (next) => writeSnapshot(client, next),
            confirmed: (doc) => withSid(doc, sid) === undefined,
        });
    } catch (e) {
        throw new EcrError("deleting", KIND, sid, e);
    }
}

// This module's exports are the dynamic provider for `RegistryPolicyStatement` (see provider/index.ts).
export { remove as delete };
export { configure } from "./client";

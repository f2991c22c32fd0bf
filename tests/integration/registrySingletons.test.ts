/**
 * The registry's singletons (its policy, its replication rules) against real ECR endpoints over
 * HTTP: moto, which nobody here wrote, and the project's local endpoint. The whole-document
 * resources and the per-part ones are driven through their provider methods, as the engine would;
 * every claim is checked on the endpoint's side with an independent client.
 *
 * "Two stacks" are two sets of resources whose state is kept apart, exactly what the engine does
 * for two stacks: nothing but the registry connects them.
 */
import * as assert from "node:assert/strict";
import {
    DeleteRegistryPolicyCommand,
    DescribeRegistryCommand,
    ECRClient,
    GetRegistryPolicyCommand,
    PutRegistryPolicyCommand,
    PutReplicationConfigurationCommand,
} from "@aws-sdk/client-ecr";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { resetClients } from "../../provider/client";
import * as registryPolicy from "../../provider/registryPolicy";
import * as registryPolicyStatement from "../../provider/registryPolicyStatement";
import * as replicationConfiguration from "../../provider/replicationConfiguration";
import * as replicationRule from "../../provider/replicationRule";
import { startMoto, useEndpoint } from "../helpers/moto";

type Provider = Required<Omit<dynamic.ResourceProvider, "configure">>;

/** A resource's life as the engine runs it: check, create, and then its state. */
class Managed {
    id = "";
    state: any;
    constructor(readonly provider: Provider) {}
    async up(news: object): Promise<void> {
        const { inputs, failures } = await this.provider.check(this.state ?? {}, { region: "us-east-1", ...news });
        assert.deepEqual(failures ?? [], [], "check failures");
        if (!this.state) {
            const out = await this.provider.create(inputs);
            this.id = out.id;
            this.state = out.outs;
            return;
        }
        const d = await this.provider.diff(this.id, this.state, inputs);
        if (!d.changes) return;
        assert.deepEqual(d.replaces ?? [], [], "expected an in-place update");
        this.state = (await this.provider.update(this.id, this.state, inputs)).outs;
    }
    async refresh(): Promise<boolean> {
        const r = await this.provider.read(this.id, this.state);
        if (!r.id) return false;
        this.state = r.props;
        return true;
    }
    async destroy(): Promise<void> {
        await this.provider.delete(this.id, this.state);
        this.state = undefined;
    }
}

const ACCOUNT_A = "111111111111";
const ACCOUNT_B = "222222222222";
const statement = (sid: string, account: string) => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
    Resource: "arn:aws:ecr:us-east-1:123456789012:repository/*",
});
const rule = (prefix: string, region: string) => ({
    destinations: [{ region, registryId: ACCOUNT_A }],
    repositoryFilters: [{ filter: prefix, filterType: "PREFIX_MATCH" }],
});

interface Endpoint {
    url: string;
    stop(): Promise<void>;
}

/** moto refuses a replication configuration of more than one rule ("This feature is disabled"). */
const endpoints: [string, () => Promise<Endpoint>, { multipleRules: boolean }][] = [
    ["moto", startMoto, { multipleRules: false }],
    [
        "local endpoint",
        async () => {
            const { startLocalEcr } = await import("../../local");
            return startLocalEcr({ port: 0 });
        },
        { multipleRules: true },
    ],
];

for (const [label, start, can] of endpoints) {
    describe(`registry singletons (integration, ${label})`, function () {
        this.timeout(120_000);
        let endpoint: Endpoint;
        let restore: () => void;
        let ecr: ECRClient;

        before(async () => {
            endpoint = await start();
            restore = useEndpoint(endpoint.url);
            resetClients();
            ecr = new ECRClient({ endpoint: endpoint.url, region: "us-east-1" });
        });
        after(async () => {
            resetClients();
            restore?.();
            ecr?.destroy();
            await endpoint?.stop();
        });
        beforeEach(async () => {
            await ecr.send(new DeleteRegistryPolicyCommand({})).catch(() => undefined);
            await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
        });

        const policyNow = async (): Promise<any | undefined> => {
            try {
                return JSON.parse((await ecr.send(new GetRegistryPolicyCommand({}))).policyText ?? "null");
            } catch (e) {
                if ((e as Error).name === "RegistryPolicyNotFoundException") return undefined;
                throw e;
            }
        };
        const sidsNow = async () => ((await policyNow())?.Statement ?? []).map((s: any) => s.Sid).sort();
        const rulesNow = async () =>
            ((await ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration?.rules ?? [])
                .map((r) => r.repositoryFilters?.[0]?.filter)
                .sort();

        describe("RegistryPolicy", () => {
            it("creates, reads back with no phantom diff, sees drift, updates and deletes", async () => {
                const p = new Managed(registryPolicy as unknown as Provider);
                await p.up({ policy: { Version: "2012-10-17", Statement: [statement("One", ACCOUNT_A)] } });
                assert.match(p.state.registryId, /^\d{12}$/);
                assert.deepEqual(await sidsNow(), ["One"]);

                // Reformatted text with the same meaning: no diff after a refresh.
                assert.ok(await p.refresh());
                const reformatted = JSON.stringify(
                    { Statement: { ...statement("One", ACCOUNT_A), Principal: { AWS: ACCOUNT_A } }, Version: "2012-10-17" },
                    null,
                    2,
                );
                const checked = await registryPolicy.check({}, { policy: reformatted, region: "us-east-1" });
                assert.equal((await registryPolicy.diff(p.id, p.state, checked.inputs as any)).changes, false);

                // Drift: changed outside Pulumi, seen on refresh.
                await ecr.send(
                    new PutRegistryPolicyCommand({
                        policyText: JSON.stringify({ Version: "2012-10-17", Statement: [statement("One", ACCOUNT_B)] }),
                    }),
                );
                assert.ok(await p.refresh());
                assert.match(p.state.policy, new RegExp(ACCOUNT_B));

                await p.up({ policy: { Version: "2012-10-17", Statement: [statement("One", ACCOUNT_A), statement("Two", ACCOUNT_B)] } });
                assert.deepEqual(await sidsNow(), ["One", "Two"]);
                await p.destroy();
                assert.equal(await policyNow(), undefined);
            });

            it("reports a policy deleted outside Pulumi as gone", async () => {
                const p = new Managed(registryPolicy as unknown as Provider);
                await p.up({ policy: { Version: "2012-10-17", Statement: [statement("One", ACCOUNT_A)] } });
                await ecr.send(new DeleteRegistryPolicyCommand({}));
                assert.equal(await p.refresh(), false);
            });
        });

        describe("RegistryPolicyStatement: two stacks share the policy", () => {
            it("each manages its own Sid; updating or destroying one leaves the other in place", async () => {
                const stackA = new Managed(registryPolicyStatement as unknown as Provider);
                const stackB = new Managed(registryPolicyStatement as unknown as Provider);
                await stackA.up({ statement: statement("StackA", ACCOUNT_A) });
                await stackB.up({ statement: JSON.stringify(statement("StackB", ACCOUNT_B)) });
                assert.deepEqual(await sidsNow(), ["StackA", "StackB"]);

                await stackA.up({ statement: { ...statement("StackA", ACCOUNT_A), Action: "ecr:ReplicateImage" } });
                const doc = await policyNow();
                assert.deepEqual(doc.Statement.find((s: any) => s.Sid === "StackA").Action, "ecr:ReplicateImage");
                assert.deepEqual(doc.Statement.find((s: any) => s.Sid === "StackB").Principal, { AWS: `arn:aws:iam::${ACCOUNT_B}:root` });
                assert.ok(await stackB.refresh(), "B's statement is still there");

                await stackA.destroy();
                assert.deepEqual(await sidsNow(), ["StackB"]);
                await stackB.destroy();
                assert.equal(await policyNow(), undefined, "the last statement to go deletes the policy");
            });

            it("two writers at once both land (the confirm read catches the lost update)", async () => {
                const writers = ["RaceA", "RaceB", "RaceC"].map((sid) => ({
                    sid,
                    r: new Managed(registryPolicyStatement as unknown as Provider),
                }));
                await Promise.all(writers.map((w, i) => w.r.up({ statement: statement(w.sid, i % 2 ? ACCOUNT_A : ACCOUNT_B) })));
                assert.deepEqual(await sidsNow(), ["RaceA", "RaceB", "RaceC"]);
                await Promise.all(writers.map((w) => w.r.destroy()));
                assert.equal(await policyNow(), undefined);
            });

            it("refuses a Sid that holds a different statement; takes over an identical one", async () => {
                await ecr.send(
                    new PutRegistryPolicyCommand({
                        policyText: JSON.stringify({ Version: "2012-10-17", Statement: [statement("Taken", ACCOUNT_A)] }),
                    }),
                );
                const clash = new Managed(registryPolicyStatement as unknown as Provider);
                await assert.rejects(
                    clash.up({ statement: statement("Taken", ACCOUNT_B) }),
                    /creating ECR Registry Policy Statement \(Taken\): .*different statement with Sid "Taken".*Hint: /,
                );
                const same = new Managed(registryPolicyStatement as unknown as Provider);
                await same.up({ statement: statement("Taken", ACCOUNT_A) });
                assert.deepEqual(await sidsNow(), ["Taken"]);
            });

            it("a statement removed outside Pulumi is gone on refresh, and the next up puts it back", async () => {
                const s = new Managed(registryPolicyStatement as unknown as Provider);
                await s.up({ statement: statement("Mine", ACCOUNT_A) });
                await ecr.send(
                    new PutRegistryPolicyCommand({
                        policyText: JSON.stringify({ Version: "2012-10-17", Statement: [statement("Other", ACCOUNT_B)] }),
                    }),
                );
                assert.equal(await s.refresh(), false);
                s.state = undefined;
                await s.up({ statement: statement("Mine", ACCOUNT_A) });
                assert.deepEqual(await sidsNow(), ["Mine", "Other"]);
            });
        });

        describe("RegistryPolicy mixed with RegistryPolicyStatement", () => {
            it("RegistryPolicy refuses to erase statements it did not write, and its delete keeps them", async () => {
                const perStatement = new Managed(registryPolicyStatement as unknown as Provider);
                await perStatement.up({ statement: statement("PerStatement", ACCOUNT_A) });
                const whole = new Managed(registryPolicy as unknown as Provider);
                await assert.rejects(
                    whole.up({ policy: { Version: "2012-10-17", Statement: [statement("Whole", ACCOUNT_B)] } }),
                    /creating ECR Registry Policy \(us-east-1\): .*Sid "PerStatement".*Hint: .*RegistryPolicyStatement/,
                );
                assert.deepEqual(await sidsNow(), ["PerStatement"], "nothing was written");

                // Declared whole (including the other statement), then the other stack changes its part.
                await whole.up({
                    policy: { Version: "2012-10-17", Statement: [statement("Whole", ACCOUNT_B), statement("PerStatement", ACCOUNT_A)] },
                });
                const late = new Managed(registryPolicyStatement as unknown as Provider);
                await late.up({ statement: statement("Late", ACCOUNT_A) });
                await assert.rejects(
                    whole.up({ policy: { Version: "2012-10-17", Statement: [statement("Whole", ACCOUNT_A)] } }),
                    /updating ECR Registry Policy .*Sid "Late".*pulumi refresh/,
                );
                assert.deepEqual(await sidsNow(), ["Late", "PerStatement", "Whole"]);

                await whole.destroy();
                assert.deepEqual(await sidsNow(), ["Late"], "delete keeps the statement it did not write");
            });
        });

        /** Skips a test that needs several replication rules on an endpoint that allows one. */
        function needsRules(ctx: Mocha.Context) {
            if (!can.multipleRules) ctx.skip();
        }

        describe("ReplicationConfiguration and ReplicationRule with one rule (all endpoints)", () => {
            it("ReplicationConfiguration: create, no phantom diff, drift, update, delete writes an empty list", async () => {
                const c = new Managed(replicationConfiguration as unknown as Provider);
                await c.up({ replicationConfiguration: { rules: [rule("alpha/", "eu-west-1")] } });
                assert.deepEqual(await rulesNow(), ["alpha/"]);
                assert.ok(await c.refresh());
                const same = await replicationConfiguration.check(
                    {},
                    {
                        replicationConfiguration: {
                            rules: [{ ...rule("alpha/", "eu-west-1"), repositoryFilters: [{ filter: "alpha/" }] }],
                        },
                        region: "us-east-1",
                    },
                );
                assert.equal((await replicationConfiguration.diff(c.id, c.state, same.inputs as any)).changes, false);
                await ecr.send(
                    new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [rule("drifted/", "eu-west-1") as any] } }),
                );
                assert.ok(await c.refresh());
                assert.equal(c.state.replicationConfiguration.rules[0].repositoryFilters[0].filter, "drifted/", "drift is seen");
                await c.up({ replicationConfiguration: { rules: [rule("gamma/", "us-west-2")] } });
                assert.deepEqual(await rulesNow(), ["gamma/"]);
                await c.destroy();
                assert.deepEqual(await rulesNow(), []);
                assert.equal(
                    await c.provider
                        .read(c.id, { replicationConfiguration: { rules: [rule("gamma/", "us-west-2")] }, region: "us-east-1" } as any)
                        .then((r) => r.id),
                    "",
                );
            });

            it("ReplicationRule: create, read, update in place (found by its old content), delete", async () => {
                const r = new Managed(replicationRule as unknown as Provider);
                await r.up(rule("solo/", "eu-west-1"));
                assert.deepEqual(await rulesNow(), ["solo/"]);
                const id = r.id;
                await r.up(rule("solo2/", "eu-west-1"));
                assert.equal(r.id, id, "the id is fixed at creation");
                assert.deepEqual(await rulesNow(), ["solo2/"]);
                assert.ok(await r.refresh());
                await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
                assert.equal(await r.refresh(), false, "a rule removed outside Pulumi is gone on refresh");
            });
        });

        describe("ReplicationConfiguration", () => {
            it("creates, compares rules as a set, sees drift, updates, and delete writes an empty list", async function () {
                needsRules(this);
                const c = new Managed(replicationConfiguration as unknown as Provider);
                await c.up({ replicationConfiguration: { rules: [rule("alpha/", "eu-west-1"), rule("beta/", "us-west-2")] } });
                assert.deepEqual(await rulesNow(), ["alpha/", "beta/"]);
                assert.ok(await c.refresh());
                const reordered = await replicationConfiguration.check(
                    {},
                    { replicationConfiguration: { rules: [rule("beta/", "us-west-2"), rule("alpha/", "eu-west-1")] }, region: "us-east-1" },
                );
                assert.equal((await replicationConfiguration.diff(c.id, c.state, reordered.inputs as any)).changes, false);

                await ecr.send(
                    new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [rule("alpha/", "eu-west-1") as any] } }),
                );
                assert.ok(await c.refresh());
                assert.equal(c.state.replicationConfiguration.rules.length, 1, "drift is seen");

                await c.up({ replicationConfiguration: { rules: [rule("gamma/", "eu-west-1")] } });
                assert.deepEqual(await rulesNow(), ["gamma/"]);
                await c.destroy();
                assert.deepEqual(await rulesNow(), []);
            });
        });

        describe("ReplicationRule: two stacks share the rule list", () => {
            it("each manages its own rule; updating or destroying one leaves the other in place", async function () {
                needsRules(this);
                const stackA = new Managed(replicationRule as unknown as Provider);
                const stackB = new Managed(replicationRule as unknown as Provider);
                await stackA.up(rule("team-a/", "eu-west-1"));
                await stackB.up(rule("team-b/", "us-west-2"));
                assert.deepEqual(await rulesNow(), ["team-a/", "team-b/"]);

                await stackA.up(rule("team-a2/", "eu-west-1"));
                assert.deepEqual(await rulesNow(), ["team-a2/", "team-b/"]);
                assert.ok(await stackA.refresh());
                assert.ok(await stackB.refresh());

                await stackA.destroy();
                assert.deepEqual(await rulesNow(), ["team-b/"]);
                await stackB.destroy();
                assert.deepEqual(await rulesNow(), []);
            });

            it("concurrent writers all land", async function () {
                needsRules(this);
                const rs = ["r1/", "r2/", "r3/"].map((p) => ({ p, r: new Managed(replicationRule as unknown as Provider) }));
                await Promise.all(rs.map((x) => x.r.up(rule(x.p, "eu-west-1"))));
                assert.deepEqual(await rulesNow(), ["r1/", "r2/", "r3/"]);
                await Promise.all(rs.map((x) => x.r.destroy()));
                assert.deepEqual(await rulesNow(), []);
            });

            it("refuses an eleventh rule with ECR's limit in the message, writing nothing", async function () {
                needsRules(this);
                const ten = Array.from({ length: 10 }, (_, i) => rule(`p${i}/`, "eu-west-1"));
                await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: ten as any } }));
                const eleventh = new Managed(replicationRule as unknown as Provider);
                await assert.rejects(
                    eleventh.up(rule("p10/", "eu-west-1")),
                    /creating ECR Replication Rule .*already has 10 replication rules, ECR's limit is 10/,
                );
                assert.equal((await rulesNow()).length, 10);
            });

            it("ReplicationConfiguration refuses to erase another stack's rule, and its delete keeps it", async function () {
                needsRules(this);
                const other = new Managed(replicationRule as unknown as Provider);
                await other.up(rule("other/", "eu-west-1"));
                const whole = new Managed(replicationConfiguration as unknown as Provider);
                await assert.rejects(
                    whole.up({ replicationConfiguration: { rules: [rule("mine/", "eu-west-1")] } }),
                    /creating ECR Replication Configuration .*other\/\*.*Hint: /,
                );
                await whole.up({ replicationConfiguration: { rules: [rule("mine/", "eu-west-1"), rule("other/", "eu-west-1")] } });
                const late = new Managed(replicationRule as unknown as Provider);
                await late.up(rule("late/", "us-west-2"));
                await assert.rejects(
                    whole.up({ replicationConfiguration: { rules: [rule("mine/", "eu-west-1")] } }),
                    /updating ECR Replication Configuration .*late\/\*.*pulumi refresh/,
                );
                await whole.destroy();
                assert.deepEqual(await rulesNow(), ["late/"]);
            });
        });
    });
}

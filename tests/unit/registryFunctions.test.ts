/**
 * The registry functions' argument checks (no AWS call: the client throws if asked anything) and
 * getLifecyclePolicyDocument, which is pure: typed rules in, canonical JSON out, validated by the
 * same rules as LifecyclePolicy's check().
 */
import * as assert from "node:assert/strict";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as ecr from "../../sdk";
import { noAwsCalls } from "../helpers/noAws";

/** The InputPropertiesError's per-property reasons. */
const errorsOf = async (p: Promise<unknown>) => {
    try {
        await p;
    } catch (e) {
        return { message: (e as Error).message, errors: ((e as any).errors ?? []) as { propertyPath: string; reason: string }[] };
    }
    assert.fail("expected the call to be refused");
};

describe("registry functions: arguments checked before any AWS call", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    it("getPullThroughCacheRule names a bad prefix", async () => {
        const { message, errors } = await errorsOf(ecr.getPullThroughCacheRule({ ecrRepositoryPrefix: "Bad Prefix" }));
        assert.match(message, /invalid arguments to getPullThroughCacheRule: `ecrRepositoryPrefix` must be "ROOT" or a prefix/);
        assert.equal(errors[0].propertyPath, "ecrRepositoryPrefix");
    });

    it("getRepositoryCreationTemplate needs a prefix; the registry-wide reads check the region", async () => {
        assert.match((await errorsOf(ecr.getRepositoryCreationTemplate({} as any))).message, /`prefix` is required/);
        for (const p of [
            ecr.getRegistryPolicy({ region: "mars" }),
            ecr.getReplicationConfiguration({ region: "mars" }),
            ecr.getRegistryScanningConfiguration({ region: "mars" }),
        ]) {
            assert.match((await errorsOf(p)).message, /`region` must be an AWS region/);
        }
    });
});

describe("getLifecyclePolicyDocument", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    const untagged = {
        priority: 1,
        description: "untagged after 14 days",
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 },
    };
    const pulled = {
        priority: 2,
        selection: {
            tagStatus: "tagged",
            tagPatternLists: ["v*", "release-*"],
            countType: "sinceImagePulled",
            countUnit: "days",
            countNumber: 90,
        },
    };
    const keep = {
        priority: 3,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
        action: { type: "expire" },
    };

    it("turns typed rules into canonical lifecycle JSON, in priority order, that LifecyclePolicy accepts unchanged", async () => {
        const doc = await ecr.getLifecyclePolicyDocument({ rules: [keep, pulled, untagged] });
        const parsed = JSON.parse(doc.json);
        assert.deepEqual(
            parsed.rules.map((r: any) => r.rulePriority),
            [1, 2, 3],
        );
        assert.deepEqual(parsed.rules[1].selection.tagPatternList, ["release-*", "v*"]);
        assert.deepEqual(parsed.rules[0].action, { type: "expire" }, "the default action is written out");
        assert.ok(!/\s/.test(doc.json.replace(/"[^"]*"/g, "")), "no whitespace outside strings");
        const checked = await lifecyclePolicy.check({}, { repository: "app", policy: doc.json, region: "us-east-1" });
        assert.deepEqual(checked.failures, []);
        assert.equal(checked.inputs.policy, doc.json, "already canonical: check() stores the same text");
        // Same rules in another order: the same JSON.
        assert.equal((await ecr.getLifecyclePolicyDocument({ rules: [untagged, pulled, keep] })).json, doc.json);
    });

    it("writes transition actions with their storage class", async () => {
        const archive = {
            priority: 1,
            selection: { tagStatus: "untagged", countType: "sinceImagePulled", countUnit: "days", countNumber: 30 },
            action: { type: "transition", targetStorageClass: "archive" },
        };
        const purge = {
            priority: 2,
            selection: {
                tagStatus: "any",
                countType: "sinceImageTransitioned",
                countUnit: "days",
                countNumber: 365,
                storageClass: "archive",
            },
        };
        const doc = JSON.parse((await ecr.getLifecyclePolicyDocument({ rules: [archive, purge] })).json);
        assert.deepEqual(doc.rules[0].action, { targetStorageClass: "archive", type: "transition" });
        assert.equal(doc.rules[1].selection.storageClass, "archive");
    });

    const bad: [string, object, string, RegExp][] = [
        ["no rules", { rules: [] }, "rules", /at least one rule/],
        ["a duplicate priority", { rules: [untagged, { ...pulled, priority: 1 }] }, "rules[1].priority", /also used by rules\[0\]/],
        [
            "tagged without patterns or prefixes",
            { rules: [{ priority: 1, selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 } }] },
            "rules[0].selection",
            /needs a non-empty tagPrefixLists or tagPatternLists/,
        ],
        [
            "sinceImagePulled without days",
            { rules: [{ priority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePulled", countNumber: 3 } }] },
            "rules[0].selection.countUnit",
            /must be "days"/,
        ],
        ["an unknown action", { rules: [{ ...untagged, action: { type: "shred" } }] }, "rules[0].action.type", /expire, transition/],
        [
            "a transition without archive",
            { rules: [{ ...untagged, action: { type: "transition" } }] },
            "rules[0].action.targetStorageClass",
            /archive/,
        ],
        [
            "sinceImageTransitioned without storageClass archive",
            {
                rules: [
                    {
                        priority: 1,
                        selection: { tagStatus: "any", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 1 },
                    },
                ],
            },
            "rules[0].selection.storageClass",
            /archive/,
        ],
        [
            "a tag pattern with five wildcards",
            {
                rules: [
                    {
                        priority: 1,
                        selection: {
                            tagStatus: "tagged",
                            tagPatternLists: ["a*b*c*d*e*f"],
                            countType: "imageCountMoreThan",
                            countNumber: 1,
                        },
                    },
                ],
            },
            "rules[0].selection.tagPatternLists[0]",
            /has 5 wildcards; ECR allows at most 4/,
        ],
    ];
    for (const [what, args, property, reason] of bad) {
        it(`refuses ${what}, naming ${property}`, async () => {
            const { errors } = await errorsOf(ecr.getLifecyclePolicyDocument(args as any));
            const hit = errors.find((e) => e.propertyPath === property);
            assert.ok(hit, `no error for ${property} in ${JSON.stringify(errors)}`);
            assert.match(hit.reason, reason);
        });
    }

    it("the Output form resolves Input rules", async () => {
        const out = ecr.getLifecyclePolicyDocumentOutput({ rules: [Promise.resolve(untagged) as any] });
        const json = await new Promise<string>((resolve) => out.json.apply((j) => resolve(j)));
        assert.equal(JSON.parse(json).rules[0].rulePriority, 1);
    });
});

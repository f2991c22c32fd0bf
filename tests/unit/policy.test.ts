/** Policies compared by meaning: GIVEN two spellings, WHEN compared, THEN equal only if AWS would treat them the same. */
import * as assert from "node:assert/strict";
import { lifecyclePoliciesEquivalent, validateLifecyclePolicy } from "../../provider/lifecyclePolicy";
import { canonicalJson, parsePolicy } from "../../provider/policyDocument";
import { iamPoliciesEquivalent, validateIamPolicy } from "../../provider/repositoryPolicy";

const base = {
    Version: "2012-10-17",
    Statement: [{ Sid: "Pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: ["ecr:BatchGetImage"] }],
};
const withStatement = (st: object) => ({ ...base, Statement: [{ ...base.Statement[0], ...st }] });

describe("IAM policy equivalence", () => {
    const same: [string, unknown][] = [
        [
            "key order and whitespace",
            `{ "Statement": [ { "Action": ["ecr:BatchGetImage"], "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Effect": "Allow", "Sid": "Pull" } ],\n "Version": "2012-10-17" }`,
        ],
        ["a one-element list for a scalar", withStatement({ Action: "ecr:BatchGetImage" })],
        ["a single statement object for a list", { ...base, Statement: base.Statement[0] }],
        ["an account id for its root ARN", withStatement({ Principal: { AWS: "123456789012" } })],
        ["action names in another case", withStatement({ Action: ["ECR:batchgetimage"] })],
        ["a duplicated action", withStatement({ Action: ["ecr:BatchGetImage", "ecr:BatchGetImage"] })],
    ];
    for (const [what, other] of same) {
        it(`treats ${what} as the same policy`, () => assert.equal(iamPoliciesEquivalent(base, other), true));
    }

    it('treats Principal "*" and {"AWS": "*"} as the same', () => {
        assert.equal(iamPoliciesEquivalent(withStatement({ Principal: "*" }), withStatement({ Principal: { AWS: "*" } })), true);
        assert.equal(iamPoliciesEquivalent(withStatement({ Principal: "*" }), withStatement({ Principal: { AWS: ["*"] } })), true);
    });

    it("ignores statement order and value order in conditions", () => {
        const two = (a: object, b: object) => ({ Version: "2012-10-17", Statement: [a, b] });
        const s1 = {
            Effect: "Allow",
            Principal: "*",
            Action: "ecr:BatchGetImage",
            Condition: { StringEquals: { "aws:PrincipalOrgID": ["o-1", "o-2"] } },
        };
        const s2 = { Effect: "Deny", Principal: "*", Action: "ecr:DeleteRepository" };
        const s1b = { ...s1, Condition: { StringEquals: { "aws:principalorgid": ["o-2", "o-1"] } } };
        assert.equal(iamPoliciesEquivalent(two(s1, s2), two(s2, s1b)), true);
    });

    const different: [string, unknown][] = [
        ["another action", withStatement({ Action: ["ecr:PutImage"] })],
        ["another principal", withStatement({ Principal: { AWS: "arn:aws:iam::210987654321:root" } })],
        ["Deny for Allow", withStatement({ Effect: "Deny" })],
        ["a role for the account root", withStatement({ Principal: { AWS: "arn:aws:iam::123456789012:role/ci" } })],
        ["an added condition", withStatement({ Condition: { Bool: { "aws:SecureTransport": "true" } } })],
        ["another version", { ...base, Version: "2008-10-17" }],
    ];
    for (const [what, other] of different) {
        it(`sees ${what} as a change`, () => assert.equal(iamPoliciesEquivalent(base, other), false));
    }

    it("never matches unparseable text with a document", () => {
        assert.equal(iamPoliciesEquivalent("{not json", base), false);
    });
});

describe("IAM policy validation", () => {
    it("accepts a complete statement", () => assert.deepEqual(validateIamPolicy(base as any), []));
    it("names each missing part with the fix", () => {
        const errors = validateIamPolicy({ Version: "2012-10-17", Statement: [{ Effect: "Permit" }] } as any);
        assert.ok(
            errors.some((e) => e.includes('Statement[0].Effect must be "Allow" or "Deny"')),
            errors.join("\n"),
        );
        assert.ok(errors.some((e) => e.includes("needs `Action` or `NotAction`")));
        assert.ok(errors.some((e) => e.includes("needs `Principal`")));
        assert.deepEqual(validateIamPolicy({ Version: "2012-10-17" } as any), ["has no `Statement`; add at least one statement"]);
    });
});

describe("parsePolicy and canonicalJson", () => {
    it("parses text and objects alike and explains bad input", () => {
        assert.deepEqual(parsePolicy('{"a":1}'), { doc: { a: 1 } });
        assert.deepEqual(parsePolicy({ a: 1 }), { doc: { a: 1 } });
        assert.match((parsePolicy("{oops") as { error: string }).error, /is not valid JSON/);
        assert.match((parsePolicy("[1]") as { error: string }).error, /must be a JSON object/);
        assert.match((parsePolicy("  ") as { error: string }).error, /is empty/);
    });
    it("sorts keys at every level and drops undefined", () => {
        assert.equal(
            canonicalJson({ b: { d: 1, c: [{ z: 1, y: undefined, x: 2 }] }, a: "x" }),
            '{"a":"x","b":{"c":[{"x":2,"z":1}],"d":1}}',
        );
    });
});

const rule = (priority: number, selection: object, extra: object = {}) => ({
    rulePriority: priority,
    selection,
    action: { type: "expire" },
    ...extra,
});
const untagged7d = { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 };
const any10 = { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 };

describe("lifecycle policy equivalence", () => {
    it("ignores rule order, tag prefix order, an empty description and the default action", () => {
        const a = {
            rules: [
                rule(1, { tagStatus: "tagged", tagPrefixList: ["v", "release"], countType: "imageCountMoreThan", countNumber: 3 }),
                rule(2, any10),
            ],
        };
        const b = {
            rules: [
                { rulePriority: 2, selection: any10, description: "" },
                rule(1, { tagStatus: "tagged", tagPrefixList: ["release", "v"], countType: "imageCountMoreThan", countNumber: 3 }),
            ],
        };
        assert.equal(lifecyclePoliciesEquivalent(a, JSON.stringify(b, null, 2)), true);
    });
    it("sees a changed count, priority or selection as a change", () => {
        const a = { rules: [rule(1, untagged7d), rule(2, any10)] };
        assert.equal(lifecyclePoliciesEquivalent(a, { rules: [rule(1, { ...untagged7d, countNumber: 8 }), rule(2, any10)] }), false);
        assert.equal(lifecyclePoliciesEquivalent(a, { rules: [rule(1, untagged7d), rule(3, any10)] }), false);
        assert.equal(lifecyclePoliciesEquivalent(a, { rules: [rule(1, untagged7d)] }), false);
    });
});

describe("lifecycle policy validation", () => {
    it("accepts a well-formed policy", () =>
        assert.deepEqual(validateLifecyclePolicy({ rules: [rule(1, untagged7d), rule(2, any10)] } as any), []));

    const bad: [string, object, RegExp][] = [
        ["no rules", { rules: [] }, /non-empty `rules`/],
        [
            "duplicate priorities",
            { rules: [rule(1, untagged7d), rule(1, { ...untagged7d, countNumber: 9 })] },
            /rulePriority 1 is also used by rules\[0\]/,
        ],
        ["a fractional priority", { rules: [rule(1.5, untagged7d)] }, /whole number from 1 to 999/],
        ["two any rules", { rules: [rule(1, any10), rule(2, any10)] }, /only one rule may have tagStatus "any"/],
        [
            "an any rule below another",
            { rules: [rule(1, any10), rule(2, untagged7d)] },
            /must have the highest rulePriority.*raise it above 2/,
        ],
        [
            "tagged without prefixes or patterns",
            { rules: [rule(1, { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 })] },
            /needs a non-empty tagPrefixList or tagPatternList/,
        ],
        [
            "prefixes on an untagged rule",
            { rules: [rule(1, { ...untagged7d, tagPrefixList: ["v"] })] },
            /apply only when tagStatus is "tagged"/,
        ],
        ["an unknown countType", { rules: [rule(1, { ...untagged7d, countType: "olderThan" })] }, /countType must be one of/],
        [
            "a since* count without days",
            { rules: [rule(1, { tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 7 })] },
            /countUnit must be "days"/,
        ],
        ["days on an image count", { rules: [rule(1, { ...any10, countUnit: "days" })] }, /countUnit must be left out/],
        ["a zero count", { rules: [rule(1, { ...any10, countNumber: 0 })] }, /countNumber must be a whole number of at least 1/],
        [
            "an unknown action",
            { rules: [{ ...rule(1, untagged7d), action: { type: "delete" } }] },
            /action.type must be one of expire, transition/,
        ],
        [
            "an unknown tagStatus",
            { rules: [rule(1, { ...untagged7d, tagStatus: "all" })] },
            /tagStatus must be one of tagged, untagged, any/,
        ],
    ];
    for (const [what, doc, message] of bad) {
        it(`rejects ${what}`, () => {
            const errors = validateLifecyclePolicy(doc as any);
            assert.ok(
                errors.some((e) => message.test(e)),
                `expected ${message} in:\n${errors.join("\n")}`,
            );
        });
    }
});

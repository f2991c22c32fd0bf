/**
 * The stored provider works when Pulumi stores it BY VALUE, as it does for linked and workspace
 * installs (the package's real path is not under node_modules). GIVEN each provider module loaded
 * from the source tree, WHEN Pulumi's closure serializer stores it as the dynamic resource does
 * (`serializeFunction(() => provider)`) and a fresh Node process evaluates that text, THEN `check()`
 * returns the inputs and the failures, exactly as the module itself does. Class fields are what the
 * serializer drops (`Failures.list` once made every failing check throw), so this catches them.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serializeFunction } from "@pulumi/pulumi/runtime/closure/serializeClosure";
import { makeOciLayout } from "../helpers/ociLayout";
import { repositoryState } from "../helpers/repositoryFixtures";
import * as image from "../../provider/images/image";
import * as imageCopy from "../../provider/images/imageCopy";
import * as imageTag from "../../provider/images/imageTag";
import * as lifecyclePolicy from "../../provider/lifecyclePolicy";
import * as repository from "../../provider/repository";
import * as repositoryPolicy from "../../provider/repositoryPolicy";
import * as accountSetting from "../../provider/accountSetting";
import * as pullThroughCacheRule from "../../provider/pullThroughCacheRule";
import * as pullTimeUpdateExclusion from "../../provider/pullTimeUpdateExclusion";
import * as registryPolicy from "../../provider/registryPolicy";
import * as registryPolicyStatement from "../../provider/registryPolicyStatement";
import * as registryScanningConfiguration from "../../provider/registryScanningConfiguration";
import * as replicationConfiguration from "../../provider/replicationConfiguration";
import * as replicationRule from "../../provider/replicationRule";
import * as repositoryCreationTemplate from "../../provider/repositoryCreationTemplate";

const ROOT = path.join(__dirname, "..", "..");
/** A real OCI layout for Image's check(), which reads and hashes the source. */
const IMAGE_SOURCE = makeOciLayout(fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ecr-stored-image-")), {
    platforms: ["linux/amd64", "linux/arm64"],
}).dir;

interface Case {
    /** The check() inputs to try, with what the failures must be (property and a pattern of the reason). */
    news: Record<string, unknown>;
    failures: [string, RegExp][];
}

const cases: Record<string, { module: object; cases: Case[] }> = {
    repository: {
        module: repository,
        cases: [
            { news: { name: "team/app", region: "us-east-1" }, failures: [] },
            {
                news: { name: "Bad Name", imageTagMutability: "SOMETIMES", tags: { "aws:x": "1" }, region: "us-east-1" },
                failures: [
                    ["name", /not a valid repository name/],
                    ["imageTagMutability", /must be one of "MUTABLE"/],
                    ["tags.aws:x", /reserved by AWS/],
                ],
            },
        ],
    },
    repositoryPolicy: {
        module: repositoryPolicy,
        cases: [
            {
                news: {
                    repository: "app",
                    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }] },
                    region: "us-east-1",
                },
                failures: [],
            },
            {
                news: { repository: "app", policy: { Statement: [{ Effect: "Maybe" }] }, region: "us-east-1" },
                failures: [
                    ["policy", /Effect must be "Allow" or "Deny"/],
                    ["policy", /needs `Action` or `NotAction`/],
                    ["policy", /needs `Principal`/],
                ],
            },
        ],
    },
    lifecyclePolicy: {
        module: lifecyclePolicy,
        cases: [
            {
                news: {
                    repository: "app",
                    policy: {
                        rules: [
                            {
                                rulePriority: 1,
                                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
                                action: { type: "expire" },
                            },
                        ],
                    },
                    region: "us-east-1",
                },
                failures: [],
            },
            {
                news: { repository: "Bad Name", policy: { rules: [] }, region: "us-east-1" },
                failures: [
                    ["repository", /not a valid repository name/],
                    ["policy", /non-empty `rules`/],
                ],
            },
        ],
    },
    image: {
        module: image,
        cases: [
            {
                news: { repository: "app", source: IMAGE_SOURCE, tags: ["1.0"], platforms: ["linux/arm64"], region: "us-east-1" },
                failures: [],
            },
            {
                news: { repository: "app", source: path.join(IMAGE_SOURCE, "missing"), region: "us-east-1" },
                failures: [["source", /missing: no such file or directory/]],
            },
            {
                news: { repository: "app", source: IMAGE_SOURCE, tags: ["-x"], region: "us-east-1" },
                failures: [["tags[0]", /not a valid image tag/]],
            },
        ],
    },
    imageTag: {
        module: imageTag,
        cases: [
            { news: { repository: "app", sourceTag: "1.4.2", tag: "prod", region: "us-east-1" }, failures: [] },
            {
                news: { repository: "app", tag: "bad tag", region: "us-east-1" },
                failures: [
                    ["sourceTag | sourceDigest", /set exactly one/],
                    ["tag", /must be an image tag/],
                ],
            },
        ],
    },
    imageCopy: {
        module: imageCopy,
        cases: [
            {
                news: {
                    source: { repository: "app", imageTag: "1.4.2", region: "us-east-1" },
                    destination: { repository: "mirror", region: "eu-west-1" },
                    platforms: ["linux/arm64", "linux/amd64"],
                },
                failures: [],
            },
            {
                news: {
                    source: { repository: "app", region: "us-east-1" },
                    destination: { repository: "app", region: "us-east-1" },
                    platforms: ["amd64"],
                },
                failures: [
                    ["source.imageTag | source.imageDigest", /set exactly one/],
                    ["destination.repository", /use `ImageTag`/],
                    ["platforms[0]", /os\/architecture/],
                ],
            },
        ],
    },
    // The registry half: one accepted and one refused input each.
    ...registryCases(),
};

/** The registry-half providers' cases: each accepts a good input and refuses a bad one, naming the property. */
function registryCases(): Record<string, { module: object; cases: Case[] }> {
    const r = "us-east-1";
    const st = {
        Sid: "Replicate",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "ecr:ReplicateImage",
        Resource: "*",
    };
    const dest = { region: "eu-west-1", registryId: "111111111111" };
    const two = (module: object, good: Record<string, unknown>, bad: Record<string, unknown>, failures: [string, RegExp][]) => ({
        module,
        cases: [
            { news: { ...good, region: r }, failures: [] },
            { news: { ...bad, region: r }, failures },
        ],
    });
    return {
        registryPolicy: two(registryPolicy, { policy: { Version: "2012-10-17", Statement: [st] } }, { policy: "{" }, [
            ["policy", /not valid JSON/],
        ]),
        registryPolicyStatement: two(registryPolicyStatement, { statement: st }, { statement: { ...st, Sid: "a-b" } }, [
            ["statement.Sid", /letters and digits/],
        ]),
        replicationConfiguration: two(
            replicationConfiguration,
            { replicationConfiguration: { rules: [{ destinations: [dest] }] } },
            { replicationConfiguration: { rules: [{ destinations: [] }] } },
            [["replicationConfiguration.rules[0].destinations", /at least one/]],
        ),
        replicationRule: two(replicationRule, { destinations: [dest] }, { destinations: [{ ...dest, registryId: "12" }] }, [
            ["destinations[0].registryId", /12-digit/],
        ]),
        registryScanningConfiguration: two(
            registryScanningConfiguration,
            { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*" }] }] },
            { scanType: "BASIC", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*" }] }] },
            [["rules[0].scanFrequency", /needs scanType "ENHANCED"/]],
        ),
        pullThroughCacheRule: two(
            pullThroughCacheRule,
            { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" },
            { ecrRepositoryPrefix: "hub", upstreamRegistryUrl: "registry-1.docker.io" },
            [["credentialArn", /is required for Docker Hub/]],
        ),
        repositoryCreationTemplate: two(
            repositoryCreationTemplate,
            { prefix: "team", appliedFors: ["CREATE_ON_PUSH"] },
            { prefix: "team", appliedFors: [], resourceTags: { a: "b" } },
            [
                ["appliedFors", /at least one of/],
                ["customRoleArn", /is required with `resourceTags`/],
            ],
        ),
        accountSetting: two(accountSetting, { name: "BLOB_MOUNTING", value: "ENABLED" }, { name: "BLOB_MOUNTING", value: "ON" }, [
            ["value", /"ENABLED", "DISABLED"/],
        ]),
        pullTimeUpdateExclusion: two(
            pullTimeUpdateExclusion,
            { principalArn: "arn:aws:iam::123456789012:role/scanner" },
            { principalArn: "scanner" },
            [["principalArn", /ARN of an IAM role or user/]],
        ),
    };
}

/** Evaluates stored provider text in a fresh Node process and runs `body` (which sees `provider` and `out`); returns `out`. */
function runStored(text: string, body: string, env: Record<string, string> = {}): any {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ecr-stored-"));
    try {
        const stored = path.join(dir, "provider.js");
        fs.writeFileSync(stored, text);
        // The stored text requires the AWS SDK by name, as the dynamic-provider host resolves it from the project.
        const script = `
            const Module = require("node:module");
            const file = ${JSON.stringify(path.join(ROOT, "stored-provider.js"))};
            const m = new Module(file);
            m.filename = file;
            m.paths = Module._nodeModulePaths(${JSON.stringify(ROOT)});
            m._compile(require("node:fs").readFileSync(${JSON.stringify(stored)}, "utf8"), file);
            const provider = m.exports.handler();
            (async () => {
                const out = [];
                ${body}
                process.stdout.write(JSON.stringify(out));
            })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });`;
        const out = execFileSync(process.execPath, ["-e", script], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, AWS_REGION: "us-east-1", ...env },
        });
        return JSON.parse(out);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("providers stored by value (linked and workspace installs)", function () {
    this.timeout(60_000);

    for (const [kind, { module, cases: kindCases }] of Object.entries(cases)) {
        it(`${kind}: the stored check() reports the same inputs and failures as the module`, async () => {
            const { text } = await serializeFunction(() => module, { allowSecrets: true });
            assert.ok(!text.includes('require("pulumi-ecr'), "loaded from the source tree, so stored by value, not as require()");
            assert.match(text, /require\("@aws-sdk\/client-ecr[^"]*"\)/, "the AWS SDK is required at run time, not captured");
            assert.ok(text.length < 100_000, `stored ${kind} provider is ${text.length} bytes: something heavy was captured`);

            const news = JSON.stringify(kindCases.map((c) => c.news));
            const stored = runStored(text, `for (const news of ${news}) out.push(await provider.check({}, news));`);
            for (const [i, c] of kindCases.entries()) {
                const direct = await (module as typeof repository).check({}, c.news);
                assert.deepEqual(
                    stored[i].failures.map((f: { property: string }) => f.property),
                    c.failures.map(([p]) => p),
                    `failures of ${JSON.stringify(c.news)}`,
                );
                c.failures.forEach(([, reason], j) => assert.match(stored[i].failures[j].reason, reason));
                assert.deepEqual(stored[i], JSON.parse(JSON.stringify(direct)), "the stored provider answers as the module does");
            }
        });
    }

    after(() => fs.rmSync(IMAGE_SOURCE, { recursive: true, force: true }));

    it("repository: a stored update that fails part way still reports what was applied (PartialUpdateError)", async () => {
        const { text } = await serializeFunction(() => repository, { allowSecrets: true });
        const olds = repositoryState();
        const news = { ...olds, forceDelete: true, imageScanningConfiguration: { scanOnPush: true } };
        // Nothing listens on port 1 of the loopback address: the first call fails at once, without retries.
        const [e] = runStored(
            text,
            `try { await provider.update("app", ${JSON.stringify(olds)}, ${JSON.stringify(news)}); out.push({ threw: false }); }
             catch (e) { out.push({ id: e.id, properties: e.properties, reasons: e.reasons, message: e.message }); }`,
            { AWS_ENDPOINT_URL_ECR: "http://127.0.0.1:1", AWS_MAX_ATTEMPTS: "1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
        );
        assert.equal(e.id, "app", JSON.stringify(e));
        assert.match(e.message, /^updating image scanning of ECR Repository \(app\): /);
        assert.deepEqual(e.reasons, [e.message]);
        assert.equal(e.properties.forceDelete, true, "the state-only change is applied");
        assert.equal(e.properties.imageScanningConfiguration.scanOnPush, false, "the call that failed is not");
    });
});

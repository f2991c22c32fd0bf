/**
 * The `...Output` data sources under `pulumi.runtime.setMocks`, in a process of their own (a
 * program in dataSourceOutputs/ with its own package.json, so `pulumi-ecr` resolves from
 * node_modules: run `make build` first). The program reads a local ECR endpoint on a loopback port.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

describe("data sources: Output forms (setMocks, own process)", function () {
    this.timeout(120_000);
    let out: any;

    before(() => {
        const dir = path.join(__dirname, "dataSourceOutputs");
        const stdout = execFileSync(process.execPath, ["-r", "ts-node/register", "program.ts"], {
            cwd: dir,
            env: {
                ...process.env,
                TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json"),
                // The endpoint refuses requests signed for another region: they succeed only if the stack's region wins.
                AWS_REGION: "eu-west-1",
                PULUMI_CONFIG: JSON.stringify({ "aws:region": "us-east-1" }),
                AWS_ACCESS_KEY_ID: "testing",
                AWS_SECRET_ACCESS_KEY: "testing",
                AWS_ENDPOINT_URL: "",
            },
            encoding: "utf8",
        });
        out = JSON.parse(stdout.trim().split("\n").pop()!);
    });

    it("getAuthorizationTokenOutput: token, password and docker config are secret, however they are read", () => {
        for (const k of ["whole", "viaApply", "authorizationToken", "password", "dockerConfigJson"]) {
            assert.equal(out.loginSecrecy[k], true, `${k} must be secret`);
        }
        assert.ok(out.passwordLength > 0, "the secret still holds the password");
    });

    it("getAuthorizationTokenOutput: user name, registry address, expiry and region stay plain", () => {
        for (const k of ["userName", "proxyEndpoint", "expiresAt", "region", "id"])
            assert.equal(out.loginSecrecy[k], false, `${k} must not be secret`);
        assert.equal(out.login.userName, "AWS");
        assert.equal(out.login.proxyEndpoint, out.login.localUrl);
    });

    it("getImageOutput: takes Inputs, uses the stack's aws:region, and is not secret", () => {
        assert.equal(out.imageSecret, false);
        assert.equal(out.image.imageDigest, out.image.expected);
        assert.equal(out.image.region, "us-east-1");
        assert.deepEqual(out.image.imageTags, ["1.0"]);
    });

    it("a secret argument makes the result secret", () => {
        assert.equal(out.secretArgMakesSecret, true);
    });

    it("dependsOn: the read waits until the resources exist", () => {
        assert.equal(out.late.imageDigest, out.late.expected);
    });

    it("getLayerDownloadUrlOutput: the pre-signed URL is secret, the digest is not", () => {
        assert.deepEqual(out.downloadUrl, { whole: true, downloadUrl: true, layerDigest: false });
    });

    it("a missing image fails with a message naming repository and tag", () => {
        assert.equal(out.missingError, 'ECR Image (app:absent) not found: repository "app" has no image tagged "absent"');
    });
});

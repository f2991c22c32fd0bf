/**
 * The Image class's wiring: its type token, the source resolved against the program's directory,
 * the URN handed to the provider for progress, and the provider stored as a one-line require.
 * setMocks runs in a process of its own from tests/unit/wiring (run `make build` first).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

describe("Image sdk wiring (setMocks, own process)", function () {
    this.timeout(120_000);
    let registered: Registered[];
    let outputs: { bareHasOutputs: boolean; cwd: string };

    before(() => {
        const dir = path.join(__dirname, "wiring");
        const out = execFileSync(process.execPath, ["-r", "ts-node/register", "imageProgram.ts"], {
            cwd: dir,
            env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json"), AWS_REGION: "us-east-1" },
            encoding: "utf8",
        });
        ({ registered, outputs } = JSON.parse(out.trim().split("\n").pop()!));
    });

    const find = (name: string) => {
        const r = registered.find((x) => x.type === "pulumi-nodejs:dynamic/ecr:Image" && x.name === name);
        assert.ok(r, `Image ${name} was not registered: ${registered.map((x) => `${x.type}/${x.name}`).join(", ")}`);
        return r;
    };

    it("registers under pulumi-nodejs:dynamic/ecr:Image with the source made absolute against the program's directory", () => {
        const img = find("app");
        assert.equal(img.inputs.source, path.join(outputs.cwd, "build", "app-oci"));
        assert.equal(find("bare").inputs.source, "/abs/app.tar");
        assert.deepEqual(img.inputs.tags, ["1.0"]);
        assert.deepEqual(img.inputs.platforms, ["linux/amd64"]);
    });

    it("hands the provider the resource's own URN, so push progress shows on its line", () => {
        assert.equal(find("app").inputs.__urn, "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ecr:Image::app");
    });

    it("stores the provider as a one-line require of the installed package", () => {
        const provider: string = find("app").inputs.__provider;
        assert.ok(provider.includes(`require("pulumi-ecr/provider/images/image")`), provider.slice(0, 400));
        assert.ok(provider.length < 400, `serialized provider is ${provider.length} bytes`);
    });

    it("exposes every output, even for inputs left out", () => {
        assert.equal(outputs.bareHasOutputs, true);
    });
});

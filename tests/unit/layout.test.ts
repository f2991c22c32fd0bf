/**
 * The one-way flow sdk → provider → client: GIVEN the sources, THEN nothing in provider/ imports from
 * sdk/ (a stored provider must not drag the program-side code, or @pulumi/pulumi's Output machinery,
 * into the dynamic-provider process), and the readers that run in the program's process live under
 * sdk/readers/, not provider/.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const sources = (dir: string) =>
    fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, f));
const imports = (file: string) =>
    [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/from "([^"]+)"|require\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]);

describe("layout", () => {
    it("nothing in provider/ imports from sdk/", () => {
        const files = sources("provider");
        assert.ok(files.length >= 5, `found ${files.length} provider files`);
        const offending = files.flatMap((f) =>
            imports(f)
                .filter((i) => /(^|\/)sdk(\/|$)/.test(i))
                .map((i) => `${f} → ${i}`),
        );
        assert.deepEqual(offending, []);
    });

    it("provider/ holds no data-source readers (they run in the program's process, under sdk/readers/)", () => {
        const readers = sources("provider").filter((f) =>
            /\bexport (async )?function read[A-Z]/.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
        );
        assert.deepEqual(readers, []);
        assert.ok(sources(path.join("sdk", "readers")).length >= 5);
    });
});

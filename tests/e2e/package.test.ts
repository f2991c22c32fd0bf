/**
 * The package as a user gets it: `npm pack`, then an install into a scratch project.
 *
 * GIVEN the tarball `npm pack` makes from the build
 * THEN it ships the build, its types, LICENSE, README, CHANGELOG and the `ecr-local` bin, and no
 *      tests, examples or TypeScript sources; its source maps carry their sources inline
 * WHEN it is installed with @pulumi/pulumi and TypeScript 5 into a project that uses Pulumi's
 *      template tsconfig.json (strict, no skipLibCheck)
 * THEN a program naming every public export type-checks, a wrong literal is a type error, and the
 *      project holds exactly one copy of @pulumi/pulumi.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, ensureBuilt } from "../helpers/pulumi";

const FIXTURE = path.join(__dirname, "fixtures", "consumer");

function npm(args: string[], cwd: string): string {
    return execFileSync("npm", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, npm_config_update_notifier: "false" },
    });
}

function installedVersion(name: string): string {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

describe("the packed package", function () {
    this.timeout(600_000);
    let scratch: string;
    let tarball: string;
    let files: string[];

    before(() => {
        ensureBuilt();
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ecr-consumer-"));
        const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", scratch], REPO_ROOT)) as {
            filename: string;
            files: { path: string }[];
        }[];
        tarball = path.join(scratch, packed[0].filename);
        files = packed[0].files.map((f) => f.path).sort();
    });

    after(() => {
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("ships the build, its types, LICENSE, README, CHANGELOG and the ecr-local bin, and nothing else", () => {
        for (const f of [
            "package.json",
            "LICENSE",
            "README.md",
            "CHANGELOG.md",
            "dist/sdk/index.js",
            "dist/sdk/index.d.ts",
            "dist/local/cli.js",
            "dist/local/index.d.ts",
        ]) {
            assert.ok(files.includes(f), `${f} is not in the tarball`);
        }
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.equal(pkg.bin["ecr-local"], "dist/local/cli.js");
        for (const p of Object.values<Record<string, string>>(pkg.exports).flatMap((e) =>
            typeof e === "string" ? [e] : Object.values(e),
        )) {
            assert.ok(files.includes(p.replace(/^\.\//, "")), `package.json exports ${p}, which is not in the tarball`);
        }
        const strays = files.filter(
            (f) => !/^(package\.json|LICENSE|README\.md|CHANGELOG\.md)$/.test(f) && !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(f),
        );
        assert.deepEqual(strays, [], "files outside dist/ and the four top-level files");
        assert.deepEqual(
            files.filter((f) => /(^|\/)(tests|examples)\//.test(f)),
            [],
            "tests or examples in the tarball",
        );
    });

    it("carries the sources inside its source maps, so stack traces resolve without the .ts files", () => {
        const map = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "dist", "provider", "repository.js.map"), "utf8"));
        assert.equal(map.sources.length, 1);
        assert.ok(
            typeof map.sourcesContent?.[0] === "string" && map.sourcesContent[0].includes("CreateRepositoryCommand"),
            "sourcesContent is missing",
        );
    });

    it("type-checks a program using every public export under Pulumi's template tsconfig (no skipLibCheck)", () => {
        fs.copyFileSync(path.join(FIXTURE, "index.ts"), path.join(scratch, "index.ts"));
        fs.copyFileSync(path.join(FIXTURE, "tsconfig.json"), path.join(scratch, "tsconfig.json"));
        const tsconfig = JSON.parse(fs.readFileSync(path.join(scratch, "tsconfig.json"), "utf8"));
        assert.equal(tsconfig.compilerOptions.skipLibCheck, undefined, "the template does not skip library checks");
        fs.writeFileSync(
            path.join(scratch, "package.json"),
            JSON.stringify({
                name: "consumer",
                private: true,
                dependencies: { "pulumi-ecr": `file:${tarball}`, "@pulumi/pulumi": installedVersion("@pulumi/pulumi") },
                devDependencies: { typescript: installedVersion("typescript"), "@types/node": installedVersion("@types/node") },
            }),
        );
        npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], scratch);

        // Every runtime export is named in the program, so a new resource or function cannot be left out.
        const exported = Object.keys(require(path.join(scratch, "node_modules", "pulumi-ecr")));
        const program = fs.readFileSync(path.join(scratch, "index.ts"), "utf8");
        assert.ok(exported.length > 10, `only ${exported.length} exports`);
        assert.deepEqual(
            exported.filter((name) => !new RegExp(`\\becr\\.${name}\\b`).test(program)),
            [],
            "exports the consumer program does not use",
        );

        try {
            execFileSync(path.join(scratch, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], {
                cwd: scratch,
                encoding: "utf8",
                stdio: "pipe",
            });
        } catch (e) {
            const err = e as { stdout?: string; stderr?: string };
            assert.fail(`tsc failed in the consumer project:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
        }
    });

    it("leaves exactly one copy of @pulumi/pulumi in the user's project (a peer dependency)", () => {
        const copies = execFileSync(
            "find",
            [path.join(scratch, "node_modules"), "-path", "*/@pulumi/pulumi/package.json", "-not", "-path", "*/@pulumi/pulumi/*/*"],
            { encoding: "utf8" },
        )
            .split("\n")
            .filter(Boolean);
        assert.deepEqual(copies, [path.join(scratch, "node_modules", "@pulumi", "pulumi", "package.json")]);
    });
});

/**
 * ImageTag and ImageCopy check(): every bad argument is refused before any AWS call, naming the
 * property and the fix; defaults are filled so diff compares complete values.
 */
import * as assert from "node:assert/strict";
import * as imageCopy from "../../provider/images/imageCopy";
import * as imageTag from "../../provider/images/imageTag";
import { UNKNOWN } from "../../provider/validate";
import { noAwsCalls } from "../helpers/noAws";

type Failure = { property: string; reason: string };
const DIGEST = `sha256:${"a".repeat(64)}`;

describe("ImageTag check", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    const failures = async (news: object) => ((await imageTag.check({}, { region: "us-east-1", ...news })).failures ?? []) as Failure[];

    it("accepts a tag or a digest source and keeps only what was given", async () => {
        const a = await imageTag.check({}, { repository: "app", sourceTag: "1.4.2", tag: "prod", region: "eu-west-1", __provider: "x" });
        assert.deepEqual(a.failures, []);
        assert.deepEqual(a.inputs, { repository: "app", sourceTag: "1.4.2", tag: "prod", region: "eu-west-1" });
        const b = await imageTag.check(
            {},
            { repository: "app", sourceDigest: DIGEST, tag: "prod", registryId: "123456789012", region: "us-east-1" },
        );
        assert.deepEqual(b.failures, []);
        assert.deepEqual(b.inputs, {
            repository: "app",
            sourceDigest: DIGEST,
            tag: "prod",
            registryId: "123456789012",
            region: "us-east-1",
        });
    });

    it("passes unknown values through during preview", async () => {
        assert.deepEqual(await failures({ repository: UNKNOWN, sourceTag: UNKNOWN, tag: "prod" }), []);
    });

    const cases: [string, object, string, RegExp][] = [
        [
            "neither source",
            { repository: "app", tag: "prod" },
            "sourceTag | sourceDigest",
            /set exactly one of `sourceTag`.*neither is set/,
        ],
        ["both sources", { repository: "app", tag: "prod", sourceTag: "1", sourceDigest: DIGEST }, "sourceTag | sourceDigest", /not both/],
        ["a tag with a space", { repository: "app", sourceTag: "1.0", tag: "my tag" }, "tag", /must be an image tag/],
        ["a tag starting with a dot", { repository: "app", sourceTag: "1.0", tag: ".hidden" }, "tag", /not starting with \. or -/],
        ["a 129-character tag", { repository: "app", sourceTag: "1.0", tag: "a".repeat(129) }, "tag", /1 to 128/],
        ["a missing tag", { repository: "app", sourceTag: "1.0" }, "tag", /is required/],
        [
            "a short digest",
            { repository: "app", sourceDigest: "sha256:abc", tag: "prod" },
            "sourceDigest",
            /sha256:<64 lower-case hex digits>/,
        ],
        [
            "an upper-case digest",
            { repository: "app", sourceDigest: `sha256:${"A".repeat(64)}`, tag: "prod" },
            "sourceDigest",
            /lower-case/,
        ],
        ["an invalid repository", { repository: "App", sourceTag: "1.0", tag: "prod" }, "repository", /not a valid repository name/],
        ["no repository", { sourceTag: "1.0", tag: "prod" }, "repository", /is required/],
        ["a tag copied onto itself", { repository: "app", sourceTag: "prod", tag: "prod" }, "tag", /cannot be copied onto itself/],
        ["a bad registry id", { repository: "app", sourceTag: "1.0", tag: "prod", registryId: "abc" }, "registryId", /12-digit/],
        ["a bad region", { repository: "app", sourceTag: "1.0", tag: "prod", region: "mars" }, "region", /AWS region/],
    ];
    for (const [what, news, property, reason] of cases) {
        it(`refuses ${what}`, async () => {
            const f = await failures(news);
            const hit = f.find((x) => x.property === property);
            assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(f)}`);
            assert.match(hit.reason, reason);
        });
    }

    it("replaces on a new tag, repository or region; a new source updates in place", async () => {
        const olds = { repository: "app", sourceDigest: DIGEST, tag: "prod", region: "us-east-1", imageDigest: DIGEST, imageUri: "x" };
        const other = `sha256:${"b".repeat(64)}`;
        assert.deepEqual((await imageTag.diff("app:prod", olds, { ...olds, tag: "stable" })).replaces, ["tag"]);
        assert.deepEqual((await imageTag.diff("app:prod", olds, { ...olds, region: "eu-west-1" })).replaces, ["region"]);
        const moved = await imageTag.diff("app:prod", olds, { repository: "app", sourceDigest: other, tag: "prod", region: "us-east-1" });
        assert.deepEqual([moved.changes, moved.replaces], [true, []]);
        const same = await imageTag.diff("app:prod", olds, { repository: "app", sourceDigest: DIGEST, tag: "prod", region: "us-east-1" });
        assert.equal(same.changes, false);
    });
});

describe("ImageCopy check", () => {
    let restore: () => void;
    beforeEach(() => (restore = noAwsCalls()));
    afterEach(() => restore());

    const failures = async (news: object) => ((await imageCopy.check({}, news)).failures ?? []) as Failure[];
    const ok = {
        source: { repository: "app", imageTag: "1.4.2", region: "us-east-1" },
        destination: { repository: "mirror", region: "eu-west-1" },
    };

    it("fills the regions and defaults the destination tags to the source tag", async () => {
        const { inputs, failures: f } = await imageCopy.check({}, { ...ok, __provider: "x" });
        assert.deepEqual(f, []);
        assert.deepEqual(inputs, {
            source: { repository: "app", imageTag: "1.4.2", region: "us-east-1" },
            destination: { repository: "mirror", tags: ["1.4.2"], region: "eu-west-1" },
        });
        const byDigest = await imageCopy.check({}, { ...ok, source: { repository: "app", imageDigest: DIGEST, region: "us-east-1" } });
        assert.deepEqual((byDigest.inputs as imageCopy.ImageCopyInputs).destination.tags, [], "a copy by digest stays untagged by default");
    });

    it("passes unknown repositories through during preview (two unknowns are not the same repository)", async () => {
        const f = await failures({
            source: { repository: UNKNOWN, imageTag: "1.0", region: "us-east-1" },
            destination: { repository: UNKNOWN, tags: [UNKNOWN], region: "us-east-1" },
        });
        assert.deepEqual(f, []);
    });

    it("sorts and de-duplicates platforms, so diff compares sets", async () => {
        const { inputs } = await imageCopy.check({}, { ...ok, platforms: ["linux/arm64", "linux/amd64", "linux/arm64"] });
        assert.deepEqual((inputs as imageCopy.ImageCopyInputs).platforms, ["linux/amd64", "linux/arm64"]);
    });

    const cases: [string, object, string, RegExp][] = [
        ["no source", { destination: ok.destination }, "source", /is required/],
        ["no destination", { source: ok.source }, "destination", /is required/],
        [
            "a source with both tag and digest",
            { ...ok, source: { ...ok.source, imageDigest: DIGEST } },
            "source.imageTag | source.imageDigest",
            /not both/,
        ],
        ["a source with neither", { ...ok, source: { repository: "app" } }, "source.imageTag | source.imageDigest", /neither is set/],
        ["a bad source digest", { ...ok, source: { repository: "app", imageDigest: "latest" } }, "source.imageDigest", /sha256:/],
        [
            "a bad destination tag",
            { ...ok, destination: { ...ok.destination, tags: ["ok", "not ok"] } },
            "destination.tags[1]",
            /must be an image tag/,
        ],
        [
            "destination tags that are not a list",
            { ...ok, destination: { ...ok.destination, tags: "1.0" } },
            "destination.tags",
            /must be a list/,
        ],
        [
            "a bad destination repository",
            { ...ok, destination: { repository: "Mirror" } },
            "destination.repository",
            /not a valid repository name/,
        ],
        [
            "the source repository as destination",
            { ...ok, destination: { repository: "app", region: "us-east-1" } },
            "destination.repository",
            /use `ImageTag`/,
        ],
        ["a bad platform", { ...ok, platforms: ["amd64"] }, "platforms[0]", /os\/architecture/],
        ["an empty platform list", { ...ok, platforms: [] }, "platforms", /non-empty list/],
        ["a bad source registry id", { ...ok, source: { ...ok.source, registryId: "12" } }, "source.registryId", /12-digit/],
        [
            "a bad destination region",
            { ...ok, destination: { repository: "mirror", region: "europe" } },
            "destination.region",
            /AWS region/,
        ],
    ];
    for (const [what, news, property, reason] of cases) {
        it(`refuses ${what}`, async () => {
            const f = await failures(news);
            const hit = f.find((x) => x.property === property);
            assert.ok(hit, `expected a failure on ${property}, got ${JSON.stringify(f)}`);
            assert.match(hit.reason, reason);
        });
    }

    it("replaces only when the destination moves; source, platforms and tags update in place", async () => {
        const inputs = (await imageCopy.check({}, { ...ok, source: { repository: "app", imageDigest: DIGEST, region: "us-east-1" } }))
            .inputs as imageCopy.ImageCopyInputs;
        const olds = {
            ...inputs,
            sourceDigest: DIGEST,
            imageDigest: DIGEST,
            imageUri: "x",
            tags: [],
            bytesCopied: 1,
            layersCopied: 1,
            layersSkipped: 0,
        };
        assert.equal((await imageCopy.diff("id", olds, inputs)).changes, false);
        const retag = await imageCopy.diff("id", olds, { ...inputs, destination: { ...inputs.destination, tags: ["a"] } });
        assert.deepEqual([retag.changes, retag.replaces], [true, []]);
        const narrowed = await imageCopy.diff("id", olds, { ...inputs, platforms: ["linux/amd64"] });
        assert.deepEqual([narrowed.changes, narrowed.replaces], [true, []]);
        const moved = await imageCopy.diff("id", olds, { ...inputs, destination: { ...inputs.destination, region: "us-west-2" } });
        assert.deepEqual(moved.replaces, ["destination.region"]);
    });
});

/**
 * `count` dynamic resources whose provider does nothing: what the engine, the dynamic-provider host
 * and the checkpoint cost with no AWS call at all. `make bench` sets the ECR stacks beside these.
 */
import * as pulumi from "@pulumi/pulumi";

// provider.js, installed under node_modules by scripts/bench.sh so that it is stored in state as a
// one-line require(), exactly as pulumi-ecr's providers are (see provider.js).
const noop: pulumi.dynamic.ResourceProvider = require("pulumi-ecr-bench-noop");

const config = new pulumi.Config();
const count = config.getNumber("count") ?? 1;
// `shape: repository` gives each no-op resource the properties a Repository carries in state, to
// separate what the engine spends moving a bigger property bag from what the ECR provider spends.
const repositoryShaped = config.get("shape") === "repository";

const shapeOf = (name: string) => ({
    name,
    arn: `arn:aws:ecr:us-east-1:000000000000:repository/${name}`,
    registryId: "000000000000",
    repositoryUrl: `127.0.0.1:4510/${name}`,
    imageTagMutability: "MUTABLE",
    imageTagMutabilityExclusionFilters: [],
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfigurations: [{ encryptionType: "AES256" }],
    forceDelete: true,
    adoptExisting: false,
    tags: {},
    region: "us-east-1",
    // What a Repository keeps besides its settings: when ECR created it, and its ownership token.
    createdAt: "2026-01-01T00:00:00.000Z",
    ownerToken: "0123456789abcdef0123456789abcdef01234567",
});

class Noop extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(noop, name, repositoryShaped ? shapeOf(name) : { name }, opts, "noop", "Noop");
    }
}

const things = Array.from({ length: count }, (_, i) => new Noop(`noop-${i}`));

export const names = things.map((t) => t.name);

/**
 * `count` dynamic resources whose provider does nothing: what the engine, the dynamic-provider host
 * and the checkpoint cost with no AWS call at all. `make bench` sets the ECR stacks beside these.
 */
import * as pulumi from "@pulumi/pulumi";

const noop: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        return { id: inputs.name, outs: inputs };
    },
    async diff(_id, olds, news) {
        return { changes: olds.name !== news.name, replaces: olds.name !== news.name ? ["name"] : [] };
    },
    async read(id, props) {
        return { id, props };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
    async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(noop, name, { name }, opts, "noop", "Noop");
    }
}

const count = new pulumi.Config().getNumber("count") ?? 1;
const things = Array.from({ length: count }, (_, i) => new Noop(`noop-${i}`));

export const names = things.map((t) => t.name);

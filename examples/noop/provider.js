/**
 * The no-op dynamic provider: what the engine, the dynamic-provider host and the checkpoint cost
 * with no AWS call at all. scripts/bench.sh installs this file as the package
 * `pulumi-ecr-bench-noop` under node_modules, so that Pulumi stores it as it stores pulumi-ecr's
 * providers: a one-line `require()` in each resource's state, not the provider's text by value.
 * A floor stored by value would carry kilobytes more state per resource than a Repository does.
 */
"use strict";

module.exports = {
    create: async (inputs) => ({ id: inputs.name, outs: inputs }),
    diff: async (_id, olds, news) => ({ changes: olds.name !== news.name, replaces: olds.name !== news.name ? ["name"] : [] }),
    read: async (id, props) => ({ id, props }),
    update: async (_id, _olds, news) => ({ outs: news }),
    delete: async () => {},
};

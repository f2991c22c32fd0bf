/**
 * Builds the provider of a policy attached to one repository (RepositoryPolicy, LifecyclePolicy):
 * a document compared by meaning, replaced when the repository or region changes. Each resource
 * file supplies its own finder, put and delete calls, document rules and normalisation.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ECRClient } from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, wrap } from "./errors";
import { canonicalJson, canonicalOrRaw, Json, parsePolicy } from "./policyDocument";
import { Failures, UNKNOWN, containsUnknown, withoutInternals } from "./validate";

export interface PolicyInputs {
    repository: string;
    /** Canonical JSON (sorted keys, no whitespace). */
    policy: string;
    region: string;
}

export interface PolicyOutputs extends PolicyInputs {
    registryId: string;
}

export interface PolicyKind {
    /** e.g. "Repository Policy", used in messages. */
    kind: string;
    /** Problems with the parsed document, each a sentence naming the place and the fix. */
    validate(doc: { [k: string]: Json }): string[];
    /** True when two documents mean the same. */
    equivalent(a: string, b: string): boolean;
    /** The stored policy, or NotFoundError when the repository or its policy is gone. */
    find(client: ECRClient, repository: string, registryId?: string): Promise<{ policy: string; registryId: string }>;
    /** Puts the policy (on create: while the repository may still be becoming visible). */
    put(client: ECRClient, inputs: PolicyInputs, opts: { creating: boolean; registryId?: string }): Promise<{ registryId: string }>;
    /** Deletes the policy; not found is done. */
    remove(client: ECRClient, repository: string, registryId?: string): Promise<void>;
}

export function policyProvider(k: PolicyKind): Required<Omit<dynamic.ResourceProvider, "configure">> {
    return {
        async check(_olds, news) {
            const f = new Failures();
            const n = withoutInternals(news);
            if (n.repository === undefined || n.repository === "") {
                f.add("repository", "is required: give the name of the repository, e.g. `repository: repo.name`");
            } else {
                f.repositoryName("repository", n.repository);
            }
            let policy: unknown = n.policy;
            if (policy === undefined || policy === null) {
                f.add("policy", "is required: give the policy document as a JSON string or an object");
            } else if (!containsUnknown(policy)) {
                const parsed = parsePolicy(policy);
                if ("error" in parsed) f.add("policy", parsed.error);
                else {
                    for (const problem of k.validate(parsed.doc)) f.add("policy", problem);
                    policy = canonicalJson(parsed.doc);
                }
            } else if (typeof policy !== "string") {
                policy = UNKNOWN;
            }
            const region = await f.regionOrDefault("region", n.region);
            return { inputs: { repository: n.repository, policy, region }, failures: f.list };
        },

        async diff(_id, olds: PolicyOutputs, news: PolicyInputs) {
            const replaces: string[] = [];
            if (olds.repository !== news.repository) replaces.push("repository");
            if ((olds.region ?? news.region) !== news.region) replaces.push("region");
            const policyChanged = news.policy === UNKNOWN || !k.equivalent(olds.policy, news.policy);
            return { changes: replaces.length > 0 || policyChanged, replaces, deleteBeforeReplace: false };
        },

        async create(inputs: PolicyInputs) {
            const client = ecrClient(inputs.region);
            const { registryId } = await wrap("creating", k.kind, inputs.repository, () => k.put(client, inputs, { creating: true }));
            const outs: PolicyOutputs = { ...inputs, registryId };
            return { id: inputs.repository, outs };
        },

        async read(id, props: Partial<PolicyOutputs>) {
            const repository = props.repository || id;
            const region = await resolveRegion(props.region);
            let found: { policy: string; registryId: string };
            try {
                found = await wrap("reading", k.kind, repository, () => k.find(ecrClient(region), repository, props.registryId));
            } catch (e) {
                if (e instanceof NotFoundError) return { id: "" };
                throw e;
            }
            // Keep the spelling already in state when ECR's copy means the same: no phantom diff.
            const policy = props.policy && k.equivalent(props.policy, found.policy) ? props.policy : canonicalOrRaw(found.policy);
            const outs: PolicyOutputs = { repository, policy, region, registryId: found.registryId };
            return { id: repository, props: outs };
        },

        async update(_id, olds: PolicyOutputs, news: PolicyInputs) {
            const client = ecrClient(news.region);
            const { registryId } = await wrap("updating", k.kind, news.repository, () =>
                k.put(client, news, { creating: false, registryId: olds.registryId }),
            );
            return { outs: { ...news, registryId } };
        },

        async delete(id, props: PolicyOutputs) {
            const repository = props.repository || id;
            try {
                await k.remove(ecrClient(props.region), repository, props.registryId);
            } catch (e) {
                throw new EcrError("deleting", k.kind, repository, e);
            }
        },
    };
}

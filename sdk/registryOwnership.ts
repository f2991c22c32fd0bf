/**
 * One program must not manage a registry singleton both as a whole and by parts (a RegistryPolicy
 * next to RegistryPolicyStatements, a ReplicationConfiguration next to ReplicationRules): the
 * whole-document resource would refuse, at `pulumi up`, the parts written by its neighbours. The
 * provider cannot see the other resources of a program, but the program's own process can, so the
 * resource classes claim their document here and the second kind is refused when it is declared,
 * before any AWS call and during `pulumi preview` as well. Across stacks the provider's own checks
 * apply (see the README, "Registry singletons shared by stacks").
 * @internal
 */
import * as pulumi from "@pulumi/pulumi";

/** The registry documents that can be managed whole or by parts. */
export type RegistryDocument = "registry policy" | "replication configuration";
type Mode = "whole" | "parts";

const WHOLE: Record<RegistryDocument, string> = {
    "registry policy": "RegistryPolicy",
    "replication configuration": "ReplicationConfiguration",
};
const PARTS: Record<RegistryDocument, string> = {
    "registry policy": "RegistryPolicyStatement",
    "replication configuration": "ReplicationRule",
};

// Keyed by the run's Stack resource: a fresh one per program run, so repeated runs in one process
// (the Automation API's inline programs) never see each other's claims.
const claims = new WeakMap<object, Map<string, { mode: Mode; resource: string }>>();

/**
 * Records that resource `name` manages `document` in `region` as a whole or by parts; throws when
 * the same program already manages it the other way. A region that is not a plain string yet (an
 * Output) cannot be compared and is not recorded.
 * @internal
 */
export function claimRegistryDocument(
    document: RegistryDocument,
    mode: Mode,
    name: string,
    region: pulumi.Input<string | undefined> | undefined,
): void {
    const scope = pulumi.runtime.getStackResource();
    if (!scope || (region !== undefined && typeof region !== "string")) return;
    let byDocument = claims.get(scope);
    if (!byDocument) claims.set(scope, (byDocument = new Map()));
    const key = `${document}@${region ?? ""}`;
    const kind = (m: Mode) => (m === "whole" ? WHOLE : PARTS)[document];
    const existing = byDocument.get(key);
    if (existing && existing.mode !== mode) {
        const where = region ? ` in ${region}` : "";
        throw new pulumi.RunError(
            `${kind(mode)} "${name}" and ${kind(existing.mode)} "${existing.resource}" both manage the registry's ${document}${where}: ` +
                `the ${WHOLE[document]} would refuse the parts the ${PARTS[document]} resources write. ` +
                `Manage the ${document} either whole (one ${WHOLE[document]}) or by parts (${PARTS[document]} resources), not both.`,
        );
    }
    if (!existing) byDocument.set(key, { mode, resource: name });
}

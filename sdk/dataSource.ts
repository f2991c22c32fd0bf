/**
 * How every data-source function is wired (internal): the stack's `aws:region` as the default
 * region, the `...Output` form over `Input` arguments, and secret results.
 *
 * Data sources run in the program's own process and call ECR directly, like the plain AWS SDK:
 * there is no provider process to invoke, so `InvokeOptions` such as `provider` or `parent` do
 * not apply; `dependsOn` of the Output form is honoured (the read waits for those resources).
 */
import * as pulumi from "@pulumi/pulumi";
import { NotFoundError, isA } from "../provider/errors";

/** Turns every field of `T` into a `pulumi.Input` (lists element-wise), as `@pulumi/aws` `...OutputArgs` do. */
export type InputArgs<T> = {
    [K in keyof T]: T[K] extends (infer E)[] | undefined ? pulumi.Input<pulumi.Input<E>[] | Extract<T[K], undefined>> : pulumi.Input<T[K]>;
};

/**
 * `args` with `region` defaulted to the stack's `aws:region`. Outside a Pulumi program (a script,
 * a test) there is no stack configuration and the AWS SDK's default chain decides.
 * @internal
 */
export function withStackRegion<T extends { region?: string }>(args: T): T {
    if (args?.region) return args;
    let region: string | undefined;
    try {
        region = new pulumi.Config("aws").get("region");
    } catch {
        region = undefined;
    }
    return region ? { ...args, region } : args;
}

/** Resolves once every resource in `dependsOn` exists (its id, or for components its urn, is known). */
function waitFor(dependsOn: pulumi.InvokeOutputOptions["dependsOn"]): pulumi.Output<unknown> {
    if (dependsOn === undefined) return pulumi.output(undefined);
    return pulumi.output(dependsOn).apply((deps) => {
        const list = (Array.isArray(deps) ? deps : [deps]).filter((d): d is pulumi.Resource => d !== undefined && d !== null);
        return pulumi.all(list.map((r) => (pulumi.CustomResource.isInstance(r) ? r.id : r.urn)));
    });
}

/** What a read of something this program may be about to create fails with. */
const NOT_YET_THERE = ["RepositoryNotFoundException", "ImageNotFoundException", "LayersNotFoundException", "LayerInaccessibleException"];
function notYetThere(e: unknown): boolean {
    return e instanceof NotFoundError || isA(e, ...NOT_YET_THERE) || isA((e as { cause?: unknown })?.cause, ...NOT_YET_THERE);
}

/**
 * The `...Output` form of a data source: waits for the arguments (and `dependsOn`), then calls
 * the plain function. Secret arguments make the whole result secret.
 *
 * During `pulumi preview`: an argument that is not known yet gives an unknown result and no call
 * (the callback never runs). A repository, image or layer that does not exist yet also gives an
 * unknown result instead of an error, because a resource earlier in the same program may be about
 * to create it (the first preview of a stack that creates a repository and reads from it); `pulumi
 * up` runs the read for real and reports what is missing.
 * @internal
 */
export function invokeOutput<A, R>(
    args: unknown,
    opts: pulumi.InvokeOutputOptions | undefined,
    fn: (a: A) => Promise<R>,
): pulumi.Output<R> {
    return pulumi.all([pulumi.output(args ?? {}), waitFor(opts?.dependsOn)]).apply(async ([a]) => {
        try {
            return await fn(a as A);
        } catch (e) {
            if (pulumi.runtime.isDryRun() && notYetThere(e)) return pulumi.output(pulumi.unknown) as pulumi.Output<R>;
            throw e;
        }
    }) as unknown as pulumi.Output<R>;
}

/**
 * `result` as a secret Output, so that the whole value, and every sensitive field read from it
 * (`result.password`, `result.apply(r => r.password)`), stays secret in state and console output;
 * the fields named in `publicFields` are readable as plain (non-secret) Outputs, since they hold
 * nothing sensitive (`result.proxyEndpoint`).
 * @internal
 */
export function secretExcept<R extends object>(result: pulumi.Output<R>, publicFields: readonly (keyof R & string)[]): pulumi.Output<R> {
    const secret = pulumi.secret(result) as unknown as pulumi.Output<R>;
    for (const k of publicFields) {
        // Own properties of the Output win over its lifted members (see @pulumi/pulumi output.ts).
        Object.defineProperty(secret, k, { value: result.apply((r) => r[k]), enumerable: false, configurable: true });
    }
    return secret;
}

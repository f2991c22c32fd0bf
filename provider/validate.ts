/**
 * Input validation shared by every resource and data source: it runs in `check()` (or before a
 * data-source call) so that mistakes surface in `pulumi preview`, before any AWS call.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { resolveRegion } from "./client";

/** The placeholder the engine passes for values not known during preview: `check()` lets it through. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True if `v` holds a value that is not known yet (preview of a dependent output). */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
    return false;
}

/** ECR's repository name rule (CreateRepository API reference). */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const REPOSITORY_NAME_MIN = 2;
export const REPOSITORY_NAME_MAX = 256;

/** Why `name` is not a valid repository name, or undefined when it is. */
export function repositoryNameProblem(name: unknown): string | undefined {
    if (typeof name !== "string") return "must be a string";
    if (name.length < REPOSITORY_NAME_MIN || name.length > REPOSITORY_NAME_MAX) {
        return `must be ${REPOSITORY_NAME_MIN} to ${REPOSITORY_NAME_MAX} characters long, got ${name.length}`;
    }
    if (!REPOSITORY_NAME_PATTERN.test(name)) {
        return `"${name}" is not a valid repository name: use lower-case letters, digits and single . _ - separators, with / between path parts (for example "team/app-api")`;
    }
    return undefined;
}

/**
 * Collects check failures, each naming the property and the fix. `list` is assigned in the
 * constructor, not declared as a class field: Pulumi's closure serializer drops class fields when it
 * stores a provider by value (linked and workspace installs), and `check()` would then fail.
 */
export class Failures {
    declare readonly list: dynamic.CheckFailure[];
    constructor() {
        this.list = [];
    }
    add(property: string, reason: string): void {
        this.list.push({ property, reason });
    }
    /** Adds a failure unless `value` is one of `choices` (or unknown during preview). */
    oneOf(property: string, value: unknown, choices: readonly string[]): void {
        if (value === undefined || value === UNKNOWN) return;
        if (typeof value !== "string" || !choices.includes(value)) {
            this.add(property, `must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${JSON.stringify(value)}`);
        }
    }
    /** Adds a failure unless `value` is a boolean. */
    bool(property: string, value: unknown): void {
        if (value === undefined || value === UNKNOWN) return;
        if (typeof value !== "boolean") this.add(property, `must be true or false, got ${JSON.stringify(value)}`);
    }
    /** Adds a failure unless `value` is a valid repository name. */
    repositoryName(property: string, value: unknown): void {
        if (value === UNKNOWN) return;
        const problem = repositoryNameProblem(value);
        if (problem) this.add(property, problem);
    }
    /** Adds a failure unless `value` looks like an AWS region name. */
    region(property: string, value: unknown): void {
        if (value === undefined || value === UNKNOWN) return;
        if (typeof value !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) {
            this.add(property, `must be an AWS region such as "us-east-1", got ${JSON.stringify(value)}`);
        }
    }
    /**
     * Checks a resource's `region` and fills the default (stack `aws:region`, else the SDK's chain),
     * so diff compares the region the resource really lives in. Adds a failure when none is found.
     */
    async regionOrDefault(property: string, value: unknown): Promise<string> {
        this.region(property, value);
        if (value !== undefined) return value as string;
        try {
            return await resolveRegion();
        } catch (e) {
            this.add(property, (e as Error).message);
            return "";
        }
    }
}

/**
 * A property bag as the engine hands it to `check()`: untrusted JSON from the program, which
 * `check()` validates field by field before anything else reads it. The one `any` of provider/.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UncheckedInputs = Record<string, any>;

/** Copies a property bag without the engine's `__provider` (and other `__` internals). */
export function withoutInternals<T extends Record<string, unknown>>(bag: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(bag ?? {})) if (!k.startsWith("__")) out[k] = v;
    return out as T;
}

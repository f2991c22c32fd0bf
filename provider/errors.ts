/**
 * Errors: NotFoundError (only finders raise it), isA() to recognise AWS exceptions by name, and the
 * one message format `<action> ECR <Kind> (<id>): <cause>[. <hint>]` with the original as `cause`.
 */

/**
 * Gives `err` what `super(message, options)` gives an Error. When Pulumi's closure serializer stores a
 * provider by value (linked and workspace installs) it rewrites `super(...)` into
 * `Error.call(this, ...)`, which returns a new Error and leaves `this` bare: no message, cause or
 * stack. Every Error subclass in provider/ calls this after `super`, so it works either way.
 * @internal
 */
export function initError(err: Error, name: string, message: string, options?: { cause?: unknown }): void {
    const own = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });
    if (err.message !== message) Object.defineProperty(err, "message", own(message));
    if (options && "cause" in options && !Object.prototype.hasOwnProperty.call(err, "cause"))
        Object.defineProperty(err, "cause", own(options.cause));
    err.name = name;
    if (!Object.prototype.hasOwnProperty.call(err, "stack")) Error.captureStackTrace(err, err.constructor);
}

/** Raised by finders when the object does not exist; read and delete treat it as "gone". */
export class NotFoundError extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        initError(this, "NotFoundError", message, options);
    }
}

/** Where a missing object was looked for, and why it counts as missing. */
export interface NotFoundDetail {
    /** The registry asked, when the caller named one: the message says " in registry <id>". */
    registryId?: string;
    /** What exactly is missing, in the user's words (after a colon). */
    detail?: string;
    /** The AWS exception (or failure) that said so. */
    cause?: unknown;
}

/** The one way to build "not found": `ECR <Kind> (<id>) not found[ in registry <r>][: <detail>]`. */
export function notFound(kind: string, id: string, { registryId, detail, cause }: NotFoundDetail = {}): NotFoundError {
    const where = registryId ? ` in registry ${registryId}` : "";
    return new NotFoundError(`ECR ${kind} (${id}) not found${where}${detail ? `: ${detail}` : ""}`, { cause });
}

/**
 * `err` as the NotFoundError of `kind` when it is one of the kind's `gone` exceptions, else `err`
 * unchanged. Finders (and delete, through the same list) are the only callers.
 */
export function goneOr(
    err: unknown,
    gone: readonly string[],
    kind: string,
    id: string,
    where: Omit<NotFoundDetail, "cause"> = {},
): unknown {
    return isA(err, ...gone) ? notFound(kind, id, { ...where, cause: err }) : err;
}

/** True when `err` is an AWS SDK exception of one of the given names (e.g. "RepositoryNotFoundException"). */
export function isA(err: unknown, ...names: string[]): boolean {
    if (typeof err !== "object" || err === null) return false;
    const e = err as { name?: unknown; Code?: unknown; __type?: unknown };
    return names.some((n) => e.name === n || e.Code === n || e.__type === n);
}

/** The text of an error, including the exception name AWS gave it. */
export function describeCause(err: unknown): string {
    if (err instanceof Error) {
        const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
        return `${name}${err.message}`;
    }
    return String(err);
}

/** Hints for causes whose fix is obvious, keyed by exception name. */
const HINTS: Record<string, string> = {
    RepositoryNotEmptyException:
        "the repository still holds images; set `forceDelete: true` on it and run `pulumi up` first, then destroy again",
    RepositoryAlreadyExistsException:
        "a repository of that name already exists; set `adoptExisting: true` to manage it from this program, pick another `name`, or read it without managing it with `Repository.get`",
    KmsException: "check that `encryptionConfigurations[0].kmsKey` names a KMS key this account may use",
    AccessDeniedException: "the credentials in use lack the ECR permission this call needs",
    UnrecognizedClientException: "the AWS credentials are not valid for this endpoint",
};

/** An error in the one format, carrying the AWS error as `cause`. */
export class EcrError extends Error {
    constructor(action: string, kind: string, id: string, cause: unknown, hint?: string) {
        const causeName = typeof cause === "object" && cause !== null ? (cause as { name?: string }).name : undefined;
        const h = hint ?? (causeName ? HINTS[causeName] : undefined);
        const message = `${action} ECR ${kind} (${id}): ${describeCause(cause)}${h ? `. Hint: ${h}` : ""}`;
        super(message, { cause });
        initError(this, "EcrError", message, { cause });
    }
}

/** Runs `fn`; any error it throws is re-thrown in the one format. NotFoundError passes through. */
export async function wrap<T>(action: string, kind: string, id: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        if (e instanceof NotFoundError || e instanceof EcrError) throw e;
        throw new EcrError(action, kind, id, e);
    }
}

/**
 * The exceptions of the local endpoint, named as ECR names them (`RepositoryNotFoundException`, ...),
 * as moto's `exceptions.py`. Not to be confused with `provider/errors.ts`, whose `EcrError` formats
 * failures for Pulumi users.
 */

/**
 * The one exception type of the local endpoint. The JSON API renders it the way ECR does
 * (`__type` + `message`, HTTP 400 for client faults and 500 for server faults), so that
 * `@aws-sdk/client-ecr` raises its typed exception classes; the registry side maps it to
 * OCI Distribution error codes.
 */
export class EcrException extends Error {
    constructor(
        /** The `__type` name, e.g. `RepositoryNotFoundException`. */
        readonly type: string,
        message: string,
        /** HTTP status the JSON API answers with. */
        readonly status = 400,
        /** Extra members of the error shape (e.g. `lastValidByteReceived`). */
        readonly fields: Record<string, unknown> = {},
    ) {
        super(message);
        this.name = type;
    }
}

/** `InvalidParameterException` with ECR's "Invalid parameter at 'x' failed to satisfy constraint" wording. */
export function invalidParameter(field: string, constraint: string): EcrException {
    return new EcrException("InvalidParameterException", `Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}'`);
}

/** `RepositoryNotFoundException` in ECR's wording. */
export function repositoryNotFound(name: string, registryId: string): EcrException {
    return new EcrException(
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    );
}

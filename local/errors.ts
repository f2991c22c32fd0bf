/**
 * The one error type of the local endpoint. The JSON API renders it the way ECR does
 * (`__type` + `message`, HTTP 400 for client faults and 500 for server faults), so that
 * `@aws-sdk/client-ecr` raises its typed exception classes; the registry side maps it to
 * OCI Distribution error codes.
 */
export class EcrError extends Error {
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
export function invalidParameter(field: string, constraint: string): EcrError {
    return new EcrError("InvalidParameterException", `Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}'`);
}

export function repositoryNotFound(name: string, registryId: string): EcrError {
    return new EcrError(
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    );
}

/**
 * Registry login: `getAuthorizationToken` and its `...Output` form, whose token, password and
 * docker config are secrets. Names follow `aws.ecr.getAuthorizationToken`.
 */
import * as pulumi from "@pulumi/pulumi";
import { GetAuthorizationTokenArgs, GetAuthorizationTokenResult, readAuthorizationToken } from "./readers/authorizationToken";
import { InputArgs, invokeOutput, secretExcept, withStackRegion } from "./dataSource";

export type { GetAuthorizationTokenArgs, GetAuthorizationTokenResult };

/** Arguments of {@link getAuthorizationTokenOutput}: those of {@link getAuthorizationToken}, each an `Input`. */
export interface GetAuthorizationTokenOutputArgs extends InputArgs<GetAuthorizationTokenArgs> {}

/** Fields of the login that are not credentials: readable from the Output form without being secret. */
const PUBLIC_FIELDS = ["id", "userName", "proxyEndpoint", "expiresAt", "registryId", "region"] as const;

/**
 * A registry login (one GetAuthorizationToken call): user name, password, the registry address,
 * when it expires, and a ready docker `config.json`. The Promise form returns plain strings: prefer
 * {@link getAuthorizationTokenOutput} in a program so that the credentials stay secret.
 *
 * @example
 * const login = await ecr.getAuthorizationToken();
 * // docker login --username login.userName --password-stdin login.proxyEndpoint <<< login.password
 */
export function getAuthorizationToken(
    args: GetAuthorizationTokenArgs = {},
    _opts?: pulumi.InvokeOptions,
): Promise<GetAuthorizationTokenResult> {
    return readAuthorizationToken(withStackRegion(args ?? {}));
}

/**
 * {@link getAuthorizationToken} as an `Output`. The result, and `authorizationToken`, `password`
 * and `dockerConfigJson` read from it, are secrets: they never reach state or the console as plain
 * text. `userName`, `proxyEndpoint`, `expiresAt`, `registryId`, `region` and `id` read from it are
 * plain.
 *
 * @example
 * const login = ecr.getAuthorizationTokenOutput();
 * export const registry = login.proxyEndpoint;        // plain
 * export const dockerConfig = login.dockerConfigJson; // secret
 */
export function getAuthorizationTokenOutput(
    args: GetAuthorizationTokenOutputArgs = {},
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetAuthorizationTokenResult> {
    return secretExcept(invokeOutput(args, opts, getAuthorizationToken), PUBLIC_FIELDS);
}

/**
 * Registry credentials: `getAuthorizationToken` through one GetAuthorizationToken call, decoded
 * into a user name and password and a ready docker `config.json`. Field names follow
 * `aws.ecr.getAuthorizationToken`.
 */
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { assertValid, checkRegistryId, clientFor } from "./common";
import { EcrError, wrap } from "../../provider/errors";
import { Failures } from "../../provider/validate";

/** Arguments of `getAuthorizationToken`; names follow `aws.ecr.getAuthorizationToken`. */
export interface GetAuthorizationTokenArgs {
    /** Account id of the registry to log in to. @default the caller's own registry */
    registryId?: string;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: string;
}

/** What `getAuthorizationToken` returns. `authorizationToken`, `password` and `dockerConfigJson` are credentials. */
export interface GetAuthorizationTokenResult {
    /** The region (as `aws.ecr.getAuthorizationToken` sets `id`). */
    id: string;
    /** base64 of `AWS:<password>`: what docker stores as `auth`. Secret. */
    authorizationToken: string;
    /** The user name to log in with: always `AWS`. */
    userName: string;
    /** The password to log in with. Secret. */
    password: string;
    /** The registry address, e.g. `https://123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
    proxyEndpoint: string;
    /** When the token stops working (ECR issues them for 12 hours), as an ISO 8601 string. */
    expiresAt: string;
    /** A docker `config.json` that logs docker, buildah, crane and other OCI clients in to this registry. Secret. */
    dockerConfigJson: string;
    /** The registry asked for, if any. */
    registryId?: string;
    /** The region the token was issued in. */
    region: string;
}

/** Checks `getAuthorizationToken` arguments; throws naming each bad one. No AWS call is made. */
export function validateGetAuthorizationTokenArgs(args: GetAuthorizationTokenArgs | undefined): void {
    const f = new Failures();
    checkRegistryId(f, "registryId", args?.registryId);
    f.region("region", args?.region);
    assertValid("getAuthorizationToken", f);
}

/** `{"auths": {"<registry host>": {"auth": "<token>"}}}`, keyed by host as `docker login <host>` writes it. */
export function dockerConfigJson(proxyEndpoint: string, authorizationToken: string): string {
    let host = proxyEndpoint;
    try {
        host = new URL(proxyEndpoint).host || proxyEndpoint;
    } catch {
        // not a URL: use it as given
    }
    return JSON.stringify({ auths: { [host]: { auth: authorizationToken } } });
}

/** A registry login: one GetAuthorizationToken call. */
export async function readAuthorizationToken(
    args: GetAuthorizationTokenArgs = {},
    client?: ECRClient,
): Promise<GetAuthorizationTokenResult> {
    validateGetAuthorizationTokenArgs(args);
    const { client: c, region } = await clientFor(args.region, client);
    const id = args.registryId ?? "default";
    // `registryIds` is deprecated upstream (every token works for every registry the caller may
    // use) but still honoured; it is sent only when asked for, so the proxyEndpoint names it.
    const out = await wrap("reading an authorization token for", "Registry", id, () =>
        c.send(new GetAuthorizationTokenCommand(args.registryId ? { registryIds: [args.registryId] } : {})),
    );
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken)
        throw new EcrError("reading an authorization token for", "Registry", id, new Error("ECR returned no authorization data"));
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
        throw new EcrError("reading an authorization token for", "Registry", id, new Error("the token is not base64 of <user>:<password>"));
    const proxyEndpoint = data.proxyEndpoint ?? "";
    return {
        id: region,
        authorizationToken: data.authorizationToken,
        userName: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        proxyEndpoint,
        expiresAt: (data.expiresAt ?? new Date(0)).toISOString(),
        dockerConfigJson: dockerConfigJson(proxyEndpoint, data.authorizationToken),
        ...(args.registryId ? { registryId: args.registryId } : {}),
        region,
    };
}

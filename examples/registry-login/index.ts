/**
 * A registry login for this account and region, as stack outputs: the address and user name in
 * plain text, the password and a ready docker `config.json` as secrets (encrypted in state,
 * `[secret]` in the console).
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi up
 *   pulumi stack output dockerConfigJson --show-secrets > ~/.docker/config.json
 *
 * The token expires after 12 hours: `pulumi refresh` or `pulumi up` reads a fresh one.
 */
import * as ecr from "pulumi-ecr";

const login = ecr.getAuthorizationTokenOutput();

/** The registry address to log in to, e.g. `https://123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
export const proxyEndpoint = login.proxyEndpoint;
/** Always `AWS`. */
export const userName = login.userName;
/** When the login stops working (ISO 8601). */
export const expiresAt = login.expiresAt;
/** Secret. */
export const password = login.password;
/** Secret: `{"auths": {"<registry host>": {"auth": "…"}}}` for docker, buildah, crane and other OCI clients. */
export const dockerConfigJson = login.dockerConfigJson;

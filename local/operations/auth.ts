/**
 * GetAuthorizationToken: the registry password (an HMAC-signed expiry, see `../auth.ts`) in the
 * shape ECR hands it out.
 */
import { TOKEN_LIFETIME_MS } from "../auth";
import * as v from "../validate";
import { type Operation, type OperationTable, seconds } from "./common";

const GetAuthorizationToken: Operation = (ctx, input) => {
    const ids = (v.optionalArray(input, "registryIds", 1, 10) ?? [ctx.config.accountId]).map((id) => {
        if (typeof id !== "string" || !/^[0-9]{12}$/.test(id)) throw v.registryIdError("registryIds");
        return id;
    });
    const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
    return {
        authorizationData: ids.map(() => ({
            authorizationToken: Buffer.from(`AWS:${ctx.tokens.issuePassword(expiresAt)}`).toString("base64"),
            expiresAt: seconds(expiresAt),
            proxyEndpoint: ctx.config.url,
        })),
    };
};

/** Authorization operations by name. */
export const authOperations: OperationTable = {
    GetAuthorizationToken,
};

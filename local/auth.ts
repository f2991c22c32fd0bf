/**
 * Who may call what. The JSON API checks that each request carries a SigV4 `Authorization`
 * header that is present and well-formed (scope, date, signed headers, signature shape) and
 * answers with ECR's error names when it is not; it does not recompute the HMAC, so any
 * access key and secret work. The registry side takes HTTP basic auth with the user `AWS` and
 * the password from GetAuthorizationToken, which is an HMAC-signed expiry, valid 12 hours.
 */
import * as crypto from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { EcrException } from "./exceptions";

/** How long a GetAuthorizationToken password is valid, as in ECR. */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** SigV4's allowed clock skew. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks the SigV4 `Authorization` header of a JSON API request. Throws the error ECR answers
 * with: `MissingAuthenticationTokenException` (400) without one, `IncompleteSignatureException`
 * (400) when parts are missing or malformed, `InvalidSignatureException` (403) for a scope
 * that names another service or region, or a request time outside the allowed skew.
 */
export function checkSigV4(headers: IncomingHttpHeaders, region: string, now = Date.now()): { accessKeyId: string } {
    const auth = header(headers, "authorization");
    if (!auth) {
        throw new EcrException("MissingAuthenticationTokenException", "Missing Authentication Token", 400);
    }
    const prefix = "AWS4-HMAC-SHA256 ";
    if (!auth.startsWith(prefix)) {
        throw new EcrException(
            "IncompleteSignatureException",
            `Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm. Authorization=${auth}`,
            400,
        );
    }
    const params = new Map<string, string>();
    for (const part of auth.slice(prefix.length).split(",")) {
        const eq = part.indexOf("=");
        if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const missing = ["Credential", "SignedHeaders", "Signature"].filter((k) => !params.get(k));
    if (missing.length) {
        throw new EcrException(
            "IncompleteSignatureException",
            missing.map((k) => `Authorization header requires '${k}' parameter.`).join(" ") + ` Authorization=${auth}`,
            400,
        );
    }
    const amzDate = header(headers, "x-amz-date");
    const date = header(headers, "date");
    if (!amzDate && !date) {
        throw new EcrException(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            400,
        );
    }
    const signature = params.get("Signature")!;
    if (!/^[a-f0-9]{64}$/.test(signature)) {
        throw new EcrException("IncompleteSignatureException", "The signature must be 64 lowercase hexadecimal characters.", 400);
    }
    const scope = params.get("Credential")!.split("/");
    if (scope.length !== 5 || !scope[0] || !/^\d{8}$/.test(scope[1]) || scope[4] !== "aws4_request") {
        throw new EcrException(
            "IncompleteSignatureException",
            `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${params.get("Credential")}'`,
            400,
        );
    }
    const signedHeaders = params.get("SignedHeaders")!.split(";");
    if (!signedHeaders.includes("host")) {
        throw new EcrException(
            "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            403,
        );
    }
    if (scope[3] !== "ecr") {
        throw new EcrException("InvalidSignatureException", `Credential should be scoped to correct service: 'ecr'.`, 403);
    }
    if (scope[2] !== region) {
        throw new EcrException(
            "InvalidSignatureException",
            `Credential should be scoped to a valid region, not '${scope[2]}'. This endpoint serves '${region}'.`,
            403,
        );
    }
    let requestTime: number;
    if (amzDate) {
        const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
        if (!m)
            throw new EcrException("IncompleteSignatureException", `X-Amz-Date '${amzDate}' is not in the form yyyyMMdd'T'HHmmss'Z'.`, 400);
        if (`${m[1]}${m[2]}${m[3]}` !== scope[1]) {
            throw new EcrException(
                "InvalidSignatureException",
                `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope[1]}' != '${m[1]}${m[2]}${m[3]}'`,
                403,
            );
        }
        requestTime = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    } else {
        requestTime = Date.parse(date!);
    }
    if (!Number.isFinite(requestTime) || Math.abs(now - requestTime) > MAX_SKEW_MS) {
        throw new EcrException(
            "InvalidSignatureException",
            `Signature expired: ${amzDate ?? date} is now earlier or later than the allowed 15 minutes from ${new Date(now).toISOString()}.`,
            403,
        );
    }
    return { accessKeyId: scope[0] };
}

function hmac(secret: Buffer, data: string): string {
    return crypto.createHmac("sha256", secret).update(data).digest("base64url");
}

/** Issues and checks registry passwords and download-URL signatures with one secret. */
export class Tokens {
    constructor(private readonly secret: Buffer) {}

    /** A password valid until `expiresAt` (epoch ms): `<expiry>.<nonce>.<hmac>` base64url. */
    issuePassword(expiresAt: number): string {
        const payload = `${expiresAt}.${crypto.randomBytes(9).toString("base64url")}`;
        return Buffer.from(`${payload}.${hmac(this.secret, `pw:${payload}`)}`).toString("base64url");
    }

    /** `ok`, `expired` or `invalid`. */
    checkPassword(password: string, now = Date.now()): "ok" | "expired" | "invalid" {
        let raw: string;
        try {
            raw = Buffer.from(password, "base64url").toString("utf8");
        } catch {
            return "invalid";
        }
        const parts = raw.split(".");
        if (parts.length !== 3) return "invalid";
        const payload = `${parts[0]}.${parts[1]}`;
        const expected = hmac(this.secret, `pw:${payload}`);
        if (expected.length !== parts[2].length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(parts[2]))) {
            return "invalid";
        }
        return Number(parts[0]) > now ? "ok" : "expired";
    }

    /** Signature of a layer download URL. */
    signDownload(repository: string, digest: string, expiresAt: number): string {
        return hmac(this.secret, `dl:${repository}:${digest}:${expiresAt}`);
    }

    checkDownload(repository: string, digest: string, expiresAt: number, signature: string, now = Date.now()): boolean {
        if (!(expiresAt > now)) return false;
        const expected = this.signDownload(repository, digest, expiresAt);
        return expected.length === signature.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    }
}

/**
 * Reads HTTP basic credentials. Returns undefined when the header is absent or not basic.
 */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
    const auth = header(headers, "authorization");
    if (!auth || !/^basic /i.test(auth)) return undefined;
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

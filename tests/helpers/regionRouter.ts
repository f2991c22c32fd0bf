/**
 * One loopback address in front of several ECR endpoints, one per region. The provider code reads
 * a single endpoint override (AWS_ENDPOINT_URL_ECR) for every region, as the AWS SDK does; this
 * router sends each request to the endpoint of the region it is signed for (the SigV4 credential
 * scope in `Authorization`), so a cross-region copy meets two independent local endpoints.
 * Bodies are piped, not buffered, and forwarded byte for byte with their `Host` header, so
 * signatures still verify behind it.
 */
import * as http from "node:http";
import { forward, listenOnLoopback } from "./loopbackProxy";

export interface RegionRouter {
    /** `http://127.0.0.1:<port>`: point AWS_ENDPOINT_URL_ECR here. */
    url: string;
    /** Requests routed so far, per region. */
    routed(): Record<string, number>;
    stop(): Promise<void>;
}

/** `endpoints` maps a region to the endpoint URL that serves it. */
export async function startRegionRouter(endpoints: Record<string, string>): Promise<RegionRouter> {
    const counts: Record<string, number> = {};
    const server = http.createServer((req, res) => {
        const auth = String(req.headers.authorization ?? "");
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1];
        const target = region ? endpoints[region] : undefined;
        if (!target) {
            res.writeHead(400, { "content-type": "text/plain" });
            res.end(`region router: no endpoint for region ${JSON.stringify(region)}`);
            req.resume();
            return;
        }
        counts[region!] = (counts[region!] ?? 0) + 1;
        forward(new URL(target), req, res, "region router");
    });
    const { url, stop } = await listenOnLoopback(server);
    return { url, routed: () => ({ ...counts }), stop };
}

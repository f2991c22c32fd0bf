/**
 * What the test proxies (countingProxy.ts, regionRouter.ts) share: forwarding one request byte for
 * byte, `Host` header included, so SigV4 signatures made for the proxy's address still verify at
 * the endpoint behind it; and listening on a free loopback port.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** Sends `req` to `to` and its answer back on `res`; `body` when the proxy already read it, else the request is piped. */
export function forward(to: URL, req: http.IncomingMessage, res: http.ServerResponse, label: string, body?: Buffer): void {
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
    });
    upstream.on("error", (e) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`${label}: ${e.message}`);
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
}

/** Starts `server` on a free loopback port: its URL, and a stop that also ends kept-alive connections. */
export async function listenOnLoopback(server: http.Server): Promise<{ url: string; stop(): Promise<void> }> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        stop: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

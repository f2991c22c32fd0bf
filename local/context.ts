/**
 * What every request handler of the local endpoint works with: the store, the endpoint's
 * identity, the token signer and the fault knobs.
 */
import type { Tokens } from "./auth";
import type { Faults } from "./faults";
import type { Store } from "./store";

/** What the operations need to know about the endpoint they run in. */
export interface EndpointConfig {
    accountId: string;
    region: string;
    /** `http://127.0.0.1:<port>`: the API, the registry and layer downloads are all served here. */
    url: string;
    /** `127.0.0.1:<port>`: the host part of every repositoryUri. */
    registryHost: string;
}

/** The state one endpoint's handlers share. */
export interface ApiContext {
    store: Store;
    config: EndpointConfig;
    tokens: Tokens;
    faults: Faults;
}

/**
 * Fault injection for tests: throttling, server errors, connection resets, lost replies and delayed
 * visibility of new repositories, each at a rate, drawn from a seeded generator so that a run
 * can be repeated exactly. Faults apply to the JSON API only; the registry side stays reliable.
 */

/** Fault knobs; every rate is a share of JSON API calls in [0, 1]. */
export interface FaultOptions {
    /** Share of calls answered with `ThrottlingException` (HTTP 400), which the AWS SDK retries with backoff. @default 0 */
    throttleRate?: number;
    /** Share of calls answered with HTTP 500 `ServerException`. @default 0 */
    errorRate?: number;
    /** Share of calls whose connection is reset before any response. @default 0 */
    resetRate?: number;
    /**
     * Share of calls that are applied and whose connection is then cut before the reply: what a
     * timeout at AWS looks like. The client sees a reset and retries a call that already took effect
     * (a second CreateRepository gets RepositoryAlreadyExistsException). @default 0
     */
    lostReplyRate?: number;
    /** A new repository stays invisible (RepositoryNotFoundException) for this long after CreateRepository. @default 0 */
    repositoryVisibilityDelayMs?: number;
    /** Only these operations (e.g. `["DescribeRepositories"]`) are subject to the rates. @default all operations */
    operations?: string[];
    /** Seed of the generator that decides which calls fail. @default 1 */
    seed?: number;
}

export type FaultDecision = "none" | "throttle" | "error" | "reset" | "lostReply";

/** mulberry32: small, fast and good enough to spread faults; deterministic per seed. */
function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export class Faults {
    private readonly next: () => number;
    /** Counts of injected faults, for tests and the CLI's shutdown summary. */
    readonly injected = { throttle: 0, error: 0, reset: 0, lostReply: 0 };

    constructor(readonly options: FaultOptions = {}) {
        for (const k of ["throttleRate", "errorRate", "resetRate", "lostReplyRate"] as const) {
            const v = options[k];
            if (v !== undefined && !(v >= 0 && v <= 1)) throw new Error(`faults: ${k} must be within [0, 1], got ${v}`);
        }
        const d = options.repositoryVisibilityDelayMs;
        if (d !== undefined && !(d >= 0)) throw new Error(`faults: repositoryVisibilityDelayMs must be >= 0, got ${d}`);
        const total = (options.throttleRate ?? 0) + (options.errorRate ?? 0) + (options.resetRate ?? 0) + (options.lostReplyRate ?? 0);
        if (total > 1) throw new Error(`faults: the rates add up to ${total}, more than 1 (every call can fail only one way)`);
        this.next = mulberry32(options.seed ?? 1);
    }

    get visibilityDelayMs(): number {
        return this.options.repositoryVisibilityDelayMs ?? 0;
    }

    /** One draw per call, so the sequence of decisions depends only on the seed and the call order. */
    decide(operation: string): FaultDecision {
        const { throttleRate = 0, errorRate = 0, resetRate = 0, lostReplyRate = 0, operations } = this.options;
        if (throttleRate + errorRate + resetRate + lostReplyRate === 0) return "none";
        if (operations && !operations.includes(operation)) return "none";
        const r = this.next();
        let decision: FaultDecision = "none";
        if (r < resetRate) decision = "reset";
        else if (r < resetRate + errorRate) decision = "error";
        else if (r < resetRate + errorRate + throttleRate) decision = "throttle";
        // Last, so that adding it leaves the draws of the other faults as they were for a given seed.
        else if (r < resetRate + errorRate + throttleRate + lostReplyRate) decision = "lostReply";
        // A lost reply counts when it happens: only a call that succeeds has a reply to lose (see server.ts).
        if (decision !== "none" && decision !== "lostReply") this.injected[decision]++;
        return decision;
    }
}

/**
 * Parses the CLI form `throttle=0.3,error=0.1,visibilityDelay=500,reset=0.05,lost-reply=0.1,seed=7,ops=A+B`.
 */
export function parseFaults(spec: string): FaultOptions {
    const out: FaultOptions = {};
    for (const item of spec
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [key, value] = item.split("=", 2);
        if (value === undefined) throw new Error(`--faults: '${item}' is not key=value`);
        const num = Number(value);
        const needNumber = () => {
            if (!Number.isFinite(num)) throw new Error(`--faults: '${key}' needs a number, got '${value}'`);
            return num;
        };
        switch (key) {
            case "throttle":
                out.throttleRate = needNumber();
                break;
            case "error":
                out.errorRate = needNumber();
                break;
            case "reset":
                out.resetRate = needNumber();
                break;
            case "lost-reply":
            case "lostReply":
                out.lostReplyRate = needNumber();
                break;
            case "visibilityDelay":
                out.repositoryVisibilityDelayMs = needNumber();
                break;
            case "seed":
                out.seed = needNumber();
                break;
            case "ops":
                out.operations = value.split("+").filter(Boolean);
                break;
            default:
                throw new Error(`--faults: unknown knob '${key}' (known: throttle, error, reset, lost-reply, visibilityDelay, seed, ops)`);
        }
    }
    new Faults(out); // validates ranges
    return out;
}

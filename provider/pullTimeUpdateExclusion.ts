/**
 * ECR Pull Time Update Exclusion: an IAM principal whose pulls do not update an image's
 * last-pulled time (so a scanner's pulls do not keep images alive under `sinceImagePulled`
 * lifecycle rules). Follows `aws.ecr.PullTimeUpdateExclusion`. Register, List and Deregister
 * calls (RegisterPullTimeUpdateExclusion and friends) are in the installed @aws-sdk/client-ecr.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    DeregisterPullTimeUpdateExclusionCommand,
    ECRClient,
    ListPullTimeUpdateExclusionsCommand,
    RegisterPullTimeUpdateExclusionCommand,
} from "@aws-sdk/client-ecr";
import { ecrClient, resolveRegion } from "./client";
import { EcrError, NotFoundError, isA, notFound, wrap } from "./errors";
import { answeredARepeat, takeBackIfSame } from "./retry";

import { Failures, UNKNOWN, withoutInternals, type UncheckedInputs } from "./validate";

const KIND = "Pull Time Update Exclusion";
/** The exceptions that mean "not excluded": delete treats them as done. */
export const EXCLUSION_GONE = ["ExclusionNotFoundException"] as const;
const PRINCIPAL_ARN_PATTERN = /^arn:aws(-\w+)*:iam::[0-9]{12}:(role|user)\/[\w+=,.@/-]+$/;
/** Pages read at most while looking for one principal (1000 principals each). */
const MAX_PAGES = 100;

/** Inputs after `check()`. */
export interface PullTimeUpdateExclusionInputs {
    principalArn: string;
    region: string;
}

/**
 * Resolves when `principalArn` is excluded, else NotFoundError. The SDK has no paginator for
 * ListPullTimeUpdateExclusions, so the pages are followed here, a bounded number of times.
 */
export async function findPullTimeUpdateExclusion(client: ECRClient, principalArn: string): Promise<void> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
        const out = await client.send(new ListPullTimeUpdateExclusionsCommand({ nextToken, maxResults: 1000 }));
        if ((out.pullTimeUpdateExclusions ?? []).includes(principalArn)) return;
        nextToken = out.nextToken;
        if (!nextToken) break;
    }
    throw notFound(KIND, principalArn);
}

export async function check(_olds: UncheckedInputs, news: UncheckedInputs): Promise<dynamic.CheckResult> {
    const f = new Failures();
    const n = withoutInternals(news);
    const arn = n.principalArn;
    if (arn === undefined || arn === "")
        f.add("principalArn", 'is required: the ARN of an IAM role or user, e.g. "arn:aws:iam::123456789012:role/scanner"');
    else if (arn !== UNKNOWN && (typeof arn !== "string" || !PRINCIPAL_ARN_PATTERN.test(arn))) {
        f.add(
            "principalArn",
            `must be the ARN of an IAM role or user, e.g. "arn:aws:iam::123456789012:role/scanner", got ${JSON.stringify(arn)}`,
        );
    }
    const region = await f.regionOrDefault("region", n.region);
    return { inputs: { principalArn: arn, region }, failures: f.list };
}

export async function diff(
    _id: string,
    olds: PullTimeUpdateExclusionInputs,
    news: PullTimeUpdateExclusionInputs,
): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    if (olds.principalArn !== news.principalArn) replaces.push("principalArn");
    if ((olds.region ?? news.region) !== news.region) replaces.push("region");
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: PullTimeUpdateExclusionInputs): Promise<dynamic.CreateResult> {
    try {
        await ecrClient(inputs.region).send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: inputs.principalArn }));
    } catch (e) {
        // A repeat (the SDK's retry after a lost reply) that meets the exclusion has met its own: it is just the principal.
        if (isA(e, "ExclusionAlreadyExistsException") && answeredARepeat(e)) {
            const own = await takeBackIfSame(inputs.principalArn, inputs, read, diff);
            if (own) return own;
        }
        const hint = isA(e, "ExclusionAlreadyExistsException")
            ? "the principal is already excluded, perhaps by another stack; manage it there, or deregister it first"
            : undefined;
        throw new EcrError("creating", KIND, inputs.principalArn, e, hint);
    }
    return { id: inputs.principalArn, outs: inputs };
}

export async function read(id: string, props: Partial<PullTimeUpdateExclusionInputs>): Promise<dynamic.ReadResult> {
    const principalArn = props.principalArn || id;
    const region = await resolveRegion(props.region);
    try {
        await wrap("reading", KIND, principalArn, () => findPullTimeUpdateExclusion(ecrClient(region), principalArn));
    } catch (e) {
        if (e instanceof NotFoundError) return { id: "" };
        throw e;
    }
    return { id: principalArn, props: { principalArn, region } };
}

export async function remove(id: string, props: PullTimeUpdateExclusionInputs): Promise<void> {
    const principalArn = props.principalArn || id;
    try {
        await ecrClient(props.region).send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn }));
    } catch (e) {
        if (isA(e, ...EXCLUSION_GONE)) return;
        throw new EcrError("deleting", KIND, principalArn, e);
    }
}

// This module's exports are the dynamic provider for `PullTimeUpdateExclusion` (see provider/index.ts).
// Every property replaces it, so there is no update.
export { remove as delete };
export { configure } from "./client";

/**
 * Every operation the JSON API serves, by the name in `X-Amz-Target`, assembled from one table per
 * thing acted on. A new group adds its table here.
 */
import { authOperations } from "./auth";
import type { OperationTable } from "./common";
import { creationTemplateOperations } from "./creationTemplates";
import { imageOperations } from "./images";
import { layerOperations } from "./layers";
import { policyOperations } from "./policies";
import { pullThroughCacheOperations } from "./pullThroughCache";
import { registryOperations } from "./registry";
import { repositoryOperations } from "./repositories";

export type { Operation, OperationTable } from "./common";

/** Every operation the endpoint serves. */
export const OPERATIONS: OperationTable = {
    ...repositoryOperations,
    ...policyOperations,
    ...imageOperations,
    ...layerOperations,
    ...authOperations,
    ...registryOperations,
    ...pullThroughCacheOperations,
    ...creationTemplateOperations,
};

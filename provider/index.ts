/**
 * What runs inside the dynamic-provider process, and the finders the data sources share.
 *
 * Each resource's provider is a module of its own (`repository`, `repositoryPolicy`,
 * `lifecyclePolicy`) whose exports are the provider methods. The SDK hands that module object to
 * the engine; Pulumi's closure serializer stores a module that lives in node_modules as a bare
 * `require("pulumi-ecr/provider/<kind>")`, so state holds a few hundred bytes per resource and the
 * AWS SDK is loaded at run time, never captured.
 */
export { configure, ecrClient, resolveRegion } from "./client";
export { EcrError, NotFoundError, isA } from "./errors";
export * from "./policy";
export { findRepositoryByName, findRepositoryTags, repositoryState } from "./repository";
export { findRepositoryPolicyByRepositoryName } from "./repositoryPolicy";
export { findLifecyclePolicyByRepositoryName } from "./lifecyclePolicy";
export { findImageById, findMostRecentImage, forEachImage, readImage, readImages } from "./image";
export { readImageManifest } from "./imageManifest";
export { readRepository, readRepositories } from "./repositories";
export { readAuthorizationToken } from "./authorizationToken";
export { readLayerAvailability, readLayerDownloadUrl } from "./layer";

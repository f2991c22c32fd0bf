/**
 * pulumi-ecr: Amazon ECR repositories, policies, images and registry credentials as Pulumi
 * dynamic resources.
 */
export * from "./documents";
export * from "./repository";
export * from "./repositoryPolicy";
export * from "./lifecyclePolicy";
export * from "./images";
export * from "./repositories";
export * from "./authorizationToken";
export * from "./layers";
export * from "./registryPolicy";
export * from "./registryPolicyStatement";
export * from "./replicationConfiguration";
export * from "./replicationRule";
export * from "./registryScanningConfiguration";
export * from "./pullThroughCacheRule";
export * from "./repositoryCreationTemplate";
export * from "./accountSetting";
export * from "./pullTimeUpdateExclusion";
export * from "./registry";
export * from "./image";
export * from "./imageTag";
export * from "./imageCopy";

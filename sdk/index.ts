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
export * from "./image";
export * from "./imageTag";
export * from "./imageCopy";

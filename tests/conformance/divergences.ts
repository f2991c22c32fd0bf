/**
 * Where moto (5.x) differs from the ECR API reference. The conformance suite runs each of these
 * cases against both endpoints: the local endpoint must follow the reference, and moto must still
 * show the difference described here (so a stale entry fails loudly once moto is fixed).
 */
export const KNOWN_DIVERGENCES = {
    describeRepositoriesPagination: "DescribeRepositories ignores maxResults/nextToken and returns every repository in one page.",
    describeImagesPagination: "DescribeImages ignores maxResults/nextToken and returns every image in one page.",
    listImagesPagination: "ListImages ignores maxResults/nextToken.",
    describeImagesFilter: "DescribeImages ignores filter.tagStatus (TAGGED/UNTAGGED).",
    listImagesFilter: "ListImages ignores filter.tagStatus.",
    imageDigest: "An image's digest is the sha256 of its layers' digests joined, not of the manifest bytes.",
    putImageDigestParameter: "PutImage takes imageDigest on trust instead of answering ImageDigestDoesNotMatchException.",
    imageSize: "imageSizeInBytes is the config blob's size, not the sum of the layers' sizes the manifest lists.",
    artifactMediaType: "DescribeImages leaves out artifactMediaType (the config's media type).",
    tokenExpiry: "GetAuthorizationToken's expiresAt is fixed at 2015-01-01, not 12 hours ahead.",
    layerOperations:
        "BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload and GetDownloadUrlForLayer are not implemented (HTTP 500).",
    putImageLayersNotFound: "PutImage accepts manifests whose layers were never uploaded instead of LayersNotFoundException.",
    immutableTagError: "Re-tagging in an IMMUTABLE repository raises ImageAlreadyExistsException, not ImageTagAlreadyExistsException.",
    retagDeletesOldImage:
        "Moving a tag onto another image in a MUTABLE repository deletes the image that held it, instead of leaving it untagged.",
    putImageMissingRepository: "PutImage into a missing repository answers HTTP 500 instead of RepositoryNotFoundException.",
    repositoryNameLength: "CreateRepository accepts names shorter than 2 or longer than 256 characters.",
    lifecyclePolicyLength: "PutLifecyclePolicy accepts policy texts shorter than the 100 characters the reference requires.",
    imageFailureIdByDigest:
        "BatchGetImage reports a missing image asked for by digest as imageId {imageTag: 'null'} instead of echoing the digest.",
    batchGetImageAcceptedMediaTypes: "BatchGetImage ignores acceptedMediaTypes.",
    lifecycleLastEvaluatedAt:
        "GetLifecyclePolicy reports lastEvaluatedAt as the current time on every call; the local endpoint never evaluates rules and leaves it out.",
    registryPolicyScope:
        "PutRegistryPolicy takes only ecr:CreateRepository and ecr:ReplicateImage, as under the old V1 policy scope; new registries have V2, which takes any ECR action.",
    replicationMultipleRules:
        "PutReplicationConfiguration refuses more than one rule (ValidationException 'This feature is disabled'); ECR takes up to 10.",
    registryScanningFrequency:
        "PutRegistryScanningConfiguration accepts any scan frequency for any scan type (CONTINUOUS_SCAN with BASIC).",
} as const;

export type DivergenceId = keyof typeof KNOWN_DIVERGENCES;

import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/images/imageTag";

/** Arguments of {@link ImageTag}. */
export interface ImageTagArgs {
    /** Name of the repository that holds the image, e.g. `repo.name`. Changing it replaces the tag. */
    repository: pulumi.Input<string>;
    /**
     * The tag of the image to point at. Exactly one of `sourceTag`, `sourceDigest`. The tag follows
     * it: when the source tag moves to another image, the next `pulumi up` moves this tag too.
     */
    sourceTag?: pulumi.Input<string>;
    /** The digest (`sha256:<64 hex>`) of the image to point at. Exactly one of `sourceTag`, `sourceDigest`. */
    sourceDigest?: pulumi.Input<string>;
    /** The tag to put on the image (OCI tag grammar: up to 128 of `[A-Za-z0-9_.-]`). Changing it replaces the resource. */
    tag: pulumi.Input<string>;
    /** Account id of the registry. @default the caller's own registry */
    registryId?: pulumi.Input<string>;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

/**
 * Points a tag at an image already in the repository, with no bytes moved: BatchGetImage, then
 * PutImage of the same manifest bytes and media type under the new tag, so the digest is the
 * source's. Idempotent when the tag already points there. On an IMMUTABLE repository a tag that
 * points at another image fails with a message naming the tag, the repository and the fix.
 * Deleting the resource removes only this tag, never the image.
 *
 * @example
 * new ecr.ImageTag("prod", { repository: repo.name, sourceTag: "1.4.2", tag: "prod" });
 */
export class ImageTag extends pulumi.dynamic.Resource {
    declare readonly repository: pulumi.Output<string>;
    declare readonly sourceTag: pulumi.Output<string | undefined>;
    declare readonly sourceDigest: pulumi.Output<string | undefined>;
    declare readonly tag: pulumi.Output<string>;
    /** Digest of the image the tag points at. */
    declare readonly imageDigest: pulumi.Output<string>;
    /** `<repositoryUrl>@<imageDigest>`: pulls exactly this image. */
    declare readonly imageUri: pulumi.Output<string>;
    declare readonly registryId: pulumi.Output<string | undefined>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: ImageTagArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                imageDigest: undefined,
                imageUri: undefined,
                sourceTag: undefined,
                sourceDigest: undefined,
                registryId: undefined,
                region: undefined,
                ...args,
            },
            opts,
            "ecr",
            "ImageTag",
        );
    }
}

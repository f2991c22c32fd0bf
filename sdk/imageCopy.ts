import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/images/imageCopy";

/** Where {@link ImageCopy} reads the image. */
export interface ImageCopySourceArgs {
    /** Name of the repository to copy from. */
    repository: pulumi.Input<string>;
    /** Tag of the image to copy. Exactly one of `imageTag`, `imageDigest`. The copy follows the tag when it moves. */
    imageTag?: pulumi.Input<string>;
    /** Digest (`sha256:<64 hex>`) of the image to copy. Exactly one of `imageTag`, `imageDigest`. */
    imageDigest?: pulumi.Input<string>;
    /** Account id of the source registry. @default the caller's own registry */
    registryId?: pulumi.Input<string>;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

/** Where {@link ImageCopy} puts the image. Changing `repository`, `registryId` or `region` replaces the copy. */
export interface ImageCopyDestinationArgs {
    /** Name of the repository to copy into (it must exist). */
    repository: pulumi.Input<string>;
    /** Tags to put on the copy; changes update in place. @default `[source.imageTag]` when the source is named by tag, else `[]` (untagged) */
    tags?: pulumi.Input<pulumi.Input<string>[]>;
    /** Account id of the destination registry. @default the caller's own registry */
    registryId?: pulumi.Input<string>;
    /** @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
}

/** Arguments of {@link ImageCopy}. */
export interface ImageCopyArgs {
    source: pulumi.Input<ImageCopySourceArgs>;
    destination: pulumi.Input<ImageCopyDestinationArgs>;
    /**
     * For a multi-platform index: copy only these platforms (`"os/arch"` or `"os/arch/variant"`;
     * `linux/arm64` matches any arm64 variant). The copy is then a narrowed index, with its own
     * digest: the source index with only the matching entries (and their attestations) kept, in
     * their order, serialised as compact JSON. @default every platform (the digest is the source's)
     */
    platforms?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Copies an image between repositories, regions or accounts through the ECR API, with no Docker and
 * nothing written to disk: layers stream from the source's GetDownloadUrlForLayer into the
 * destination's layer upload; layers the destination holds are skipped; the manifest bytes are
 * put unchanged, so the digest is preserved.
 *
 * @example
 * new ecr.ImageCopy("mirror", {
 *     source: { repository: "app", imageTag: "1.4.2", region: "us-east-1" },
 *     destination: { repository: "app-mirror", tags: ["1.4.2"], region: "eu-west-1" },
 * });
 */
export class ImageCopy extends pulumi.dynamic.Resource {
    declare readonly source: pulumi.Output<{
        repository: string;
        imageTag?: string;
        imageDigest?: string;
        registryId?: string;
        region: string;
    }>;
    declare readonly destination: pulumi.Output<{ repository: string; tags: string[]; registryId?: string; region: string }>;
    declare readonly platforms: pulumi.Output<string[] | undefined>;
    /** Digest of the source image that was copied. */
    declare readonly sourceDigest: pulumi.Output<string>;
    /** Digest of the copy: the source's, or the narrowed index's when `platforms` narrowed an index. */
    declare readonly imageDigest: pulumi.Output<string>;
    /** `<destination repositoryUrl>@<imageDigest>`. */
    declare readonly imageUri: pulumi.Output<string>;
    /** Destination tags on the copy. */
    declare readonly tags: pulumi.Output<string[]>;
    /** Layer bytes uploaded by the last copy (0 when the destination held every layer). */
    declare readonly bytesCopied: pulumi.Output<number>;
    /** Layers (config blobs included) uploaded by the last copy. */
    declare readonly layersCopied: pulumi.Output<number>;
    /** Layers the destination already held at the last copy. */
    declare readonly layersSkipped: pulumi.Output<number>;

    constructor(name: string, args: ImageCopyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                sourceDigest: undefined,
                imageDigest: undefined,
                imageUri: undefined,
                tags: undefined,
                bytesCopied: undefined,
                layersCopied: undefined,
                layersSkipped: undefined,
                platforms: undefined,
                ...args,
                // Lets the provider put copy progress on this resource's line of the update display.
                __urn: pulumi.createUrn(name, "pulumi-nodejs:dynamic/ecr:ImageCopy", opts?.parent),
            },
            opts,
            "ecr",
            "ImageCopy",
        );
    }
}

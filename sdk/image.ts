import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "../provider/images/image";

/** Arguments of {@link Image}. */
export interface ImageArgs {
    /** Name of the repository to push to (e.g. `repo.name`). Changing it replaces the image. */
    repository: pulumi.Input<string>;
    /**
     * The image on disk: an OCI image layout directory, an OCI archive (the layout as a `.tar`), or
     * a `docker save` tarball. A relative path is resolved against the program's working directory
     * (the project directory under `pulumi up`). Read and verified by `pulumi preview`.
     */
    source: pulumi.Input<string>;
    /**
     * Which image, when the source holds several: the `org.opencontainers.image.ref.name` of an
     * OCI layout entry, or `repo:tag` in a docker archive.
     * @default the only image in the source
     */
    sourceRef?: pulumi.Input<string>;
    /** Tags to put on the image. Changing them updates in place (PutImage / BatchDeleteImage). @default [] (the image is pushed untagged) */
    tags?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * For a multi-platform index: push only these platforms (`os/arch[/variant]`, e.g. `"linux/arm64"`).
     * When this leaves some out, a new index listing only these is pushed, so `imageDigest` is
     * that index's digest, not the source's. It is built deterministically and shown by preview.
     * @default every platform
     */
    platforms?: pulumi.Input<pulumi.Input<string>[]>;
    /** Leave the image (and its tags) in ECR when the resource is destroyed or replaced. @default false */
    keepOnDelete?: pulumi.Input<boolean>;
    /** Region of the repository. Changing it replaces the image. @default the stack's `aws:region`, else AWS_REGION / the AWS profile */
    region?: pulumi.Input<string>;
    /** Account id of the registry that holds the repository. @default the caller's account */
    registryId?: pulumi.Input<string>;
}

const OUTPUTS = [
    "repository",
    "source",
    "sourceRef",
    "tags",
    "platforms",
    "keepOnDelete",
    "region",
    "registryId",
    "imageDigest",
    "imageUri",
    "repositoryUrl",
    "imageManifestMediaType",
    "manifestDigests",
    "bytesUploaded",
    "layersUploaded",
    "layersSkipped",
] as const;

/**
 * An image pushed to ECR from disk through the ECR API alone, with no Docker daemon: layers the
 * repository lacks are streamed from the file in the part size ECR asks for, then the manifest
 * bytes are put unchanged, so the digest in ECR is the source's digest. `pulumi preview` reads the
 * source and shows the exact `imageDigest` (and `imageUri` when the repository's URL is known).
 * A different digest replaces the resource; tag changes update in place.
 *
 * @example
 * const repo = new ecr.Repository("app", { forceDelete: true });
 * const img = new ecr.Image("app", { repository: repo.name, source: "./build/app-oci", tags: ["1.4.2", "latest"] });
 * export const uri = img.imageUri;
 */
export class Image extends pulumi.dynamic.Resource {
    /** Repository name. */
    declare readonly repository: pulumi.Output<string>;
    /** Absolute path of the source read. */
    declare readonly source: pulumi.Output<string>;
    /** The image picked in the source, if given. */
    declare readonly sourceRef: pulumi.Output<string | undefined>;
    /** The tags this resource put on the image (a tag moved away out of band drops out on refresh). */
    declare readonly tags: pulumi.Output<string[]>;
    /** The platforms asked for (`[]`: every platform). */
    declare readonly platforms: pulumi.Output<string[]>;
    declare readonly keepOnDelete: pulumi.Output<boolean>;
    /** The region the repository lives in. */
    declare readonly region: pulumi.Output<string>;
    /** Account id of the registry holding the image. */
    declare readonly registryId: pulumi.Output<string>;
    /** `sha256:<hex>`: the sha256 of the manifest (or index) bytes, known at preview. */
    declare readonly imageDigest: pulumi.Output<string>;
    /** `<repositoryUrl>@<imageDigest>`: the reference to pull or deploy. */
    declare readonly imageUri: pulumi.Output<string>;
    /** The repository's URL as ECR reports it. */
    declare readonly repositoryUrl: pulumi.Output<string>;
    /** Media type of the pushed manifest or index. */
    declare readonly imageManifestMediaType: pulumi.Output<string>;
    /** For an index: the digests of the manifests pushed with it. */
    declare readonly manifestDigests: pulumi.Output<string[]>;
    /** Layer bytes uploaded by the last push (0 when ECR already held every layer). */
    declare readonly bytesUploaded: pulumi.Output<number>;
    /** Layers (and configs) uploaded by the last push. */
    declare readonly layersUploaded: pulumi.Output<number>;
    /** Layers (and configs) the repository already held at the last push. */
    declare readonly layersSkipped: pulumi.Output<number>;

    constructor(name: string, args: ImageArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                ...Object.fromEntries(OUTPUTS.map((k) => [k, undefined])),
                ...args,
                // The provider runs in another process with another working directory.
                source: pulumi.output(args.source).apply((s) => (typeof s === "string" && s !== "" ? path.resolve(s) : s)),
                // Lets the provider put push progress on this resource's line of the update display.
                __urn: pulumi.createUrn(name, "pulumi-nodejs:dynamic/ecr:Image", opts?.parent),
            },
            opts,
            "ecr",
            "Image",
        );
    }
}

/**
 * Images without Docker: push an image from an OCI layout on disk, read its digest back from ECR,
 * point a `prod` tag at it, and copy it into a second repository, all through the ECR API.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set layout ./build/app-oci     # any OCI layout, OCI archive or `docker save` tarball
 *   pulumi preview                               # already shows the exact imageDigest
 *   pulumi up
 *
 * Any tool that writes OCI layouts makes the input: `skopeo copy docker://alpine:3 oci:build/app-oci`,
 * `buildah push app oci:build/app-oci`, `docker buildx build --output type=oci,tar=false,dest=build/app-oci`,
 * or (as the tests do) a few lines of Node.js.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const config = new pulumi.Config();
const layout = config.require("layout");
const version = config.get("version") ?? "1.0.0";

const app = new ecr.Repository("app", { forceDelete: true });
const mirror = new ecr.Repository("mirror", { forceDelete: true });

/** The digest is computed from the layout's bytes in check(), so `pulumi preview` shows it. */
const image = new ecr.Image("app", { repository: app.name, source: layout, tags: [version] });

/** Read back from ECR, after the push (dependsOn waits for the Image to exist). */
const pushed = ecr.getImageOutput({ repositoryName: app.name, imageTag: version }, { dependsOn: [image] });

/** `prod` points at the pushed image: no bytes move. */
const prod = new ecr.ImageTag("prod", { repository: app.name, sourceDigest: image.imageDigest, tag: "prod" });

/** The same image in the second repository, under both tags: layers stream from one repository to the other. */
const copy = new ecr.ImageCopy(
    "mirror",
    {
        source: { repository: app.name, imageDigest: image.imageDigest },
        destination: { repository: mirror.name, tags: [version, "prod"] },
    },
    { dependsOn: [image] },
);

export const repositoryName = app.name;
export const mirrorName = mirror.name;
export const imageDigest = image.imageDigest;
export const imageUri = image.imageUri;
export const bytesUploaded = image.bytesUploaded;
export const readBackDigest = pushed.imageDigest;
export const readBackTags = pushed.imageTags;
export const prodDigest = prod.imageDigest;
export const prodUri = prod.imageUri;
export const mirrorDigest = copy.imageDigest;
export const mirrorUri = copy.imageUri;
export const mirrorTags = copy.tags;
export const bytesCopied = copy.bytesCopied;

/** `count` repositories with default settings: the ECR side of `make bench`, set beside examples/noop. */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "pulumi-ecr";

const count = new pulumi.Config().getNumber("count") ?? 1;
const repos = Array.from({ length: count }, (_, i) => new ecr.Repository(`bench-${i}`, { forceDelete: true }));

export const names = repos.map((r) => r.name);

/**
 * Runs under `pulumi.runtime.setMocks` in a process of its own (see imageWiring.test.ts) and prints
 * what the Image class registered, as JSON on the last line. It imports `pulumi-ecr` from
 * node_modules, as a user's program does.
 */
import * as pulumi from "@pulumi/pulumi";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state: { ...args.inputs } };
        },
        call: () => ({}),
    },
    "project",
    "stack",
    false,
);

(async () => {
    const ecr = await import("pulumi-ecr");
    const img = new ecr.Image("app", { repository: "app", source: "./build/app-oci", tags: ["1.0"], platforms: ["linux/amd64"] });
    const bare = new ecr.Image("bare", { repository: "app", source: "/abs/app.tar" });
    const outputs = {
        bareHasOutputs: ["imageDigest", "imageUri", "tags", "bytesUploaded", "layersUploaded", "repositoryUrl"].every((k) =>
            pulumi.Output.isInstance((bare as any)[k]),
        ),
        cwd: process.cwd(),
    };
    void img;
    await new Promise((r) => setTimeout(r, 500));
    console.log(JSON.stringify({ registered, outputs }));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});

/**
 * `make demo` (through scripts/demo.sh): the root program (Pulumi.yaml → examples/demo/) against a
 * local ECR endpoint on loopback, with the real Pulumi CLI and a file backend in .pulumi-state/.
 *
 *   1. up: two repositories, a repository policy, two lifecycle policies
 *   2. an image is pushed into the app repository through the ECR API (as `docker push` does)
 *   3. up again with `imageTag` set: the program reads the image back by tag (digest, pinned URI)
 *   4. preview: no changes
 *   5. destroy, and the stack is removed
 *
 * The endpoint runs inside this process; scripts/demo.sh makes sure nothing outlives it.
 */
import { ECRClient } from "@aws-sdk/client-ecr";
import { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { useEndpoint } from "../tests/helpers/moto";
import { REPO_ROOT, STATE_DIR, awsEnv, openStack, programMode, putImage, removeStack, startEndpoint } from "../tests/helpers/pulumi";

const REGION = "us-east-1";
const STACK = process.env.DEMO_STACK ?? "demo";

const say = (s: string) => console.log(`\n==> ${s}`);
const print = (s: string) => process.stdout.write(s);

function showOutputs(outputs: OutputMap) {
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [k, o] of Object.entries(outputs)) {
        console.log(`    ${k.padEnd(width)}  ${o.secret ? "[secret]" : JSON.stringify(o.value)}`);
    }
}

async function main() {
    say("starting a local ECR endpoint on loopback");
    const ep = await startEndpoint();
    const restore = useEndpoint(ep.url, REGION);
    console.log(`    ${ep.kind} endpoint at ${ep.url} (AWS_ENDPOINT_URL_ECR for the providers; dummy credentials)`);
    let stack: Stack | undefined;
    try {
        const env = awsEnv(ep.url, REGION);
        // A stack left by an interrupted run points at an endpoint that is gone: start clean.
        const previous = await openStack({ dir: REPO_ROOT, stackName: STACK, env });
        await removeStack(previous);
        stack = await openStack({ dir: REPO_ROOT, stackName: STACK, env, config: { "aws:region": REGION } });
        console.log(`    stack ${STACK}, program mode ${programMode()}, file backend in ${STATE_DIR}`);

        say("pulumi up");
        let up = await stack.up({ onOutput: print });

        const appRepository = String(up.outputs.appRepositoryUrl.value).split("/").pop()!;
        say(`pushing an image to ${appRepository}:v1 through the ECR API`);
        const ecr = new ECRClient({ endpoint: ep.url, region: REGION });
        const digest = await putImage(ecr, appRepository, "v1");
        ecr.destroy();
        console.log(`    pushed ${digest}`);

        say("pulumi config set imageTag v1 && pulumi up (reads the image back by tag)");
        await stack.setConfig("imageTag", { value: "v1" });
        up = await stack.up({ onOutput: print });
        if (up.outputs.appImageDigest?.value !== digest) {
            throw new Error(`the program read back ${JSON.stringify(up.outputs.appImageDigest?.value)}, expected ${digest}`);
        }

        say("pulumi preview (nothing to change)");
        const preview = await stack.preview({ onOutput: print });
        const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
        if (changes.length) throw new Error(`preview after up shows changes: ${JSON.stringify(preview.changeSummary)}`);

        say("stack outputs");
        showOutputs(await stack.outputs());

        say("pulumi destroy");
        await stack.destroy({ onOutput: print });
    } finally {
        await removeStack(stack);
        restore();
        await ep.stop();
        say("endpoint stopped");
    }
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
    },
);

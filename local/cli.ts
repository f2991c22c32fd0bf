#!/usr/bin/env node
/**
 * `ecr-local`: runs the local ECR endpoint in the foreground until SIGINT/SIGTERM.
 */
import { parseFaults, startLocalEcr, type LocalEcrOptions } from "./index";

const USAGE = `Usage: ecr-local [options]

A local Amazon ECR endpoint: the ECR JSON API and an OCI registry on one port.

Options:
  --port N            port to listen on (default 4510; 0 picks a free one)
  --host ADDR         interface to listen on (default 127.0.0.1)
  --data DIR          keep state in DIR so that it survives a restart (default: in memory)
  --region NAME       region served (default us-east-1)
  --account-id ID     12-digit account / registry id (default 000000000000)
  --faults SPEC       inject faults into API calls, e.g.
                      throttle=0.3,error=0.1,reset=0.05,lost-reply=0.1,visibilityDelay=500,seed=7,
                      ops=CreateRepository+PutImage
  --verbose           print one line per request
  -h, --help          show this help
`;

function parseArgs(argv: string[]): LocalEcrOptions & { verbose: boolean } {
    const opts: LocalEcrOptions & { verbose: boolean } = { port: 4510, verbose: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] =
            arg.includes("=") && arg.startsWith("--")
                ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
                : [arg, undefined];
        const value = (): string => {
            const v = inline ?? argv[++i];
            if (v === undefined) throw new Error(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--port": {
                const p = Number(value());
                if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`--port must be 0-65535`);
                opts.port = p;
                break;
            }
            case "--host":
                opts.host = value();
                break;
            case "--data":
                opts.dataDir = value();
                break;
            case "--region":
                opts.region = value();
                break;
            case "--account-id":
                opts.accountId = value();
                break;
            case "--faults":
                opts.faults = parseFaults(value());
                break;
            case "--verbose":
                opts.verbose = true;
                break;
            case "-h":
            case "--help":
                process.stdout.write(USAGE);
                process.exit(0);
                break;
            default:
                throw new Error(`unknown option '${arg}'`);
        }
    }
    return opts;
}

async function main(): Promise<void> {
    let opts: ReturnType<typeof parseArgs>;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`ecr-local: ${(e as Error).message}\n\n${USAGE}`);
        process.exit(2);
    }
    const { verbose, ...options } = opts;
    if (verbose) options.log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const ecr = await startLocalEcr(options);
    const region = options.region ?? "us-east-1";
    // Handlers first: whoever sees READY may signal at once.
    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        const f = ecr.faultsInjected();
        const faults = f.throttle + f.error + f.reset + f.lostReply ? ` (faults injected: ${JSON.stringify(f)})` : "";
        ecr.stop().then(() => {
            process.stdout.write(`ecr-local stopped on ${signal}${faults}\n`);
            process.exit(0);
        });
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.stdout.write(
        [
            `ecr-local listening on ${ecr.url} (region ${region}, registry ${options.accountId ?? "000000000000"}, state ${options.dataDir ? `in ${options.dataDir}` : "in memory"})`,
            ``,
            `  AWS CLI:  aws ecr describe-repositories --endpoint-url ${ecr.url} --region ${region}`,
            `  SDKs:     export AWS_ENDPOINT_URL_ECR=${ecr.url} AWS_REGION=${region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
            `  Registry: aws ecr get-login-password --endpoint-url ${ecr.url} --region ${region} | skopeo login --tls-verify=false -u AWS --password-stdin ${ecr.registryHost}`,
            `            repositories are at ${ecr.registryHost}/<name> (plain HTTP)`,
            options.faults ? `  Faults:   ${JSON.stringify(options.faults)}` : "",
            ``,
            `READY ${ecr.url}`,
            ``,
        ]
            .filter((l, i, all) => l !== "" || all[i - 1] !== "")
            .join("\n"),
    );
}

main().catch((e: unknown) => {
    process.stderr.write(`ecr-local: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});

/** Makes any AWS SDK call fail the test: proves validation happens before AWS is asked anything. */
import { ECRClient } from "@aws-sdk/client-ecr";

export function noAwsCalls(): () => void {
    const original = ECRClient.prototype.send;
    (ECRClient.prototype as any).send = function (command: { constructor: { name: string } }) {
        throw new Error(`unexpected AWS call ${command.constructor.name} during validation`);
    };
    return () => {
        ECRClient.prototype.send = original;
    };
}

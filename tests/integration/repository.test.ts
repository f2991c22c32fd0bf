/**
 * Repository against each real ECR endpoint over HTTP (moto and the local endpoint, each on a free
 * loopback port): basic → import/verify → update → disappears, as the Terraform acceptance tests go.
 */
import * as assert from "node:assert/strict";
import {
    CreateRepositoryCommand,
    DeleteRepositoryCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    ListImagesCommand,
    ListTagsForResourceCommand,
    PutImageTagMutabilityCommand,
} from "@aws-sdk/client-ecr";
import * as repository from "../../provider/repository";
import { describeOnEndpoints } from "../helpers/endpoints";
import { randomName } from "../helpers/names";

describeOnEndpoints("Repository", (endpoint) => {
    let ecr: ECRClient;
    before(() => (ecr = endpoint.ecr()));

    async function createChecked(news: Record<string, unknown>) {
        const checked = await repository.check({}, news);
        assert.deepEqual(checked.failures, []);
        return {
            inputs: checked.inputs as repository.RepositoryInputs,
            result: await repository.create(checked.inputs as repository.RepositoryInputs),
        };
    }

    it("creates a repository with every setting in one call, and reads it back the same", async () => {
        const name = randomName();
        const { inputs, result } = await createChecked({
            name,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            tags: { team: "platform", env: "test" },
        });
        const outs = result.outs as repository.RepositoryOutputs;
        assert.equal(result.id, name);
        assert.match(outs.arn, new RegExp(`^arn:aws:ecr:us-east-1:\\d{12}:repository/${name}$`));
        assert.ok(outs.repositoryUrl.endsWith(`/${name}`), outs.repositoryUrl);
        assert.equal(outs.region, "us-east-1");

        const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        const repo = described.repositories![0];
        assert.equal(repo.imageTagMutability, "IMMUTABLE");
        assert.equal(repo.imageScanningConfiguration?.scanOnPush, true);
        const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: outs.arn }));
        assert.deepEqual(Object.fromEntries(tags.tags!.map((t) => [t.Key, t.Value])), {
            team: "platform",
            env: "test",
            [repository.OWNER_TAG_KEY]: outs.ownerToken,
        });
        assert.deepEqual(outs.tags, { team: "platform", env: "test" }, "the ownership tag is internal: not in the resource's tags");

        const read = await repository.read(name, outs);
        assert.equal(read.id, name);
        assert.deepEqual(read.props, outs);
        const d = await repository.diff(name, read.props as repository.RepositoryOutputs, inputs);
        assert.equal(d.changes, false, "a fresh read must not differ from the program");
    });

    it("auto-names from the resource name and keeps the name on later checks", async () => {
        const first = await repository.check({}, { __autoNamePrefix: "My_App" });
        const name = (first.inputs as repository.RepositoryInputs).name;
        assert.match(name, /^my_app-[a-z0-9]{7}$/);
        const again = await repository.check(first.inputs, { __autoNamePrefix: "My_App" });
        assert.equal((again.inputs as repository.RepositoryInputs).name, name);
        assert.ok(!("__autoNamePrefix" in again.inputs), "internal inputs do not reach state");
    });

    it("updates mutability, scanning and tags in place, without replacement", async () => {
        const name = randomName();
        const { inputs, result } = await createChecked({ name, tags: { a: "1", b: "2" } });
        const olds = result.outs as repository.RepositoryOutputs;
        const next = (
            await repository.check(inputs, {
                name,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                tags: { b: "3", c: "4" },
            })
        ).inputs as repository.RepositoryInputs;
        const d = await repository.diff(name, olds, next);
        assert.equal(d.changes, true);
        assert.deepEqual(d.replaces, []);
        const updated = await repository.update(name, olds, next);
        assert.equal(updated.outs.imageTagMutability, "IMMUTABLE");

        const read = await repository.read(name, updated.outs);
        const props = read.props as repository.RepositoryOutputs;
        assert.equal(props.imageTagMutability, "IMMUTABLE");
        assert.equal(props.imageScanningConfiguration.scanOnPush, true);
        assert.deepEqual(props.tags, { b: "3", c: "4" });
        assert.equal((await repository.diff(name, props, next)).changes, false);
    });

    it("asks for replacement when name, encryption or region change", async () => {
        const name = randomName();
        const { inputs, result } = await createChecked({ name });
        const olds = result.outs as repository.RepositoryOutputs;
        const renamed = (await repository.check(inputs, { name: `${name}-2` })).inputs as repository.RepositoryInputs;
        assert.deepEqual((await repository.diff(name, olds, renamed)).replaces, ["name"]);
        const kms = (await repository.check(inputs, { name, encryptionConfigurations: [{ encryptionType: "KMS" }] }))
            .inputs as repository.RepositoryInputs;
        const dk = await repository.diff(name, olds, kms);
        assert.deepEqual(dk.replaces, ["encryptionConfigurations"]);
        assert.equal(dk.deleteBeforeReplace, true, "same name: the old repository must go first");
        const moved = (await repository.check(inputs, { name, region: "eu-west-1" })).inputs as repository.RepositoryInputs;
        const dm = await repository.diff(name, olds, moved);
        assert.deepEqual(dm.replaces, ["region"]);
        assert.equal(dm.deleteBeforeReplace, false, "in another region the new repository can exist beside the old one");
        assert.equal((await repository.diff(name, olds, renamed)).deleteBeforeReplace, false, "a new name does not clash");
    });

    it("shows drift made out of band after a refresh, and drops a repository deleted out of band", async () => {
        const name = randomName();
        const { inputs, result } = await createChecked({ name, imageTagMutability: "IMMUTABLE" });
        await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "MUTABLE" }));
        const refreshed = await repository.read(name, result.outs);
        assert.equal((refreshed.props as repository.RepositoryOutputs).imageTagMutability, "MUTABLE");
        assert.equal((await repository.diff(name, refreshed.props as repository.RepositoryOutputs, inputs)).changes, true);

        await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
        // State from a while ago: inside its creation's visibility window, not found would be retried (eventualConsistency.test.ts).
        const gone = await repository.read(name, { ...result.outs, createdAt: new Date(Date.now() - 3_600_000).toISOString() });
        assert.equal(gone.id, "", "read returns a blank id for a repository that is gone");
    });

    it("reads a repository knowing only its name, as Repository.get does", async () => {
        const name = randomName();
        const { result } = await createChecked({ name, imageTagMutability: "IMMUTABLE", tags: { owner: "ops" } });
        const got = await repository.read(name, {});
        assert.equal(got.id, name);
        const props = got.props as repository.RepositoryOutputs;
        assert.equal(props.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(props.tags, { owner: "ops" });
        assert.equal(props.arn, (result.outs as repository.RepositoryOutputs).arn, "the same repository's identifiers");
        assert.equal(got.inputs, undefined, "a read never rewrites the program's inputs");
    });

    it("refuses to delete a repository that holds images unless forceDelete is set, then deletes it", async () => {
        const name = randomName();
        const { result } = await createChecked({ name });
        const image = await endpoint.pushImage(name, { tag: "v1" });
        const listed = await ecr.send(new ListImagesCommand({ repositoryName: name }));
        assert.deepEqual(
            listed.imageIds?.map((i) => i.imageTag),
            ["v1"],
            "the repository holds the image",
        );
        if (!endpoint.diverges("imageDigest")) assert.equal(listed.imageIds?.[0].imageDigest, image.digest);
        const outs = result.outs as repository.RepositoryOutputs;
        await assert.rejects(repository.remove(name, outs), (e: Error) => {
            assert.match(e.message, /^deleting ECR Repository \(.+\): RepositoryNotEmptyException/);
            assert.match(e.message, /set `forceDelete: true`/);
            assert.equal((e.cause as Error).name, "RepositoryNotEmptyException");
            return true;
        });
        await repository.remove(name, { ...outs, forceDelete: true });
        await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), {
            name: "RepositoryNotFoundException",
        });
        // Already gone: done, no error. (State from a while ago: within a minute of its creation, not found
        // would first be retried while the repository might still be becoming visible.)
        await repository.remove(name, { ...outs, createdAt: new Date(Date.now() - 3_600_000).toISOString() });
    });

    it("adopts an existing repository with adoptExisting, bringing its settings in line with the program", async () => {
        const name = randomName();
        const existing = await ecr.send(
            new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE", tags: [{ Key: "owner", Value: "ops" }] }),
        );
        const { result } = await createChecked({
            name,
            adoptExisting: true,
            imageScanningConfiguration: { scanOnPush: true },
            tags: { team: "platform" },
        });
        const outs = result.outs as repository.RepositoryOutputs;
        assert.equal(outs.arn, existing.repository!.repositoryArn, "the same repository, not a new one");
        assert.equal(outs.adoptExisting, true);
        const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
        assert.equal(repo.imageTagMutability, "MUTABLE", "mutability follows the program (its default)");
        assert.equal(repo.imageScanningConfiguration?.scanOnPush, true);
        const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: outs.arn }));
        assert.deepEqual(
            Object.fromEntries(tags.tags!.map((t) => [t.Key, t.Value])),
            { team: "platform", [repository.OWNER_TAG_KEY]: outs.ownerToken },
            "tags follow the program, and the repository is marked as this resource's",
        );
        const read = await repository.read(name, outs);
        assert.deepEqual(read.props, outs);
    });

    it("refuses to adopt a repository whose encryption differs, since ECR cannot change it", async () => {
        const name = randomName();
        await ecr.send(new CreateRepositoryCommand({ repositoryName: name, encryptionConfiguration: { encryptionType: "KMS" } }));
        const checked = await repository.check({}, { name, adoptExisting: true });
        await assert.rejects(repository.create(checked.inputs as repository.RepositoryInputs), (e: Error) => {
            assert.match(
                e.message,
                /^adopting ECR Repository \(.+\): the existing repository is encrypted with .*KMS.*Hint: set `encryptionConfigurations` to match it/,
            );
            return true;
        });
        const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0];
        assert.equal(repo.encryptionConfiguration?.encryptionType, "KMS", "the repository is left as it was");
    });

    it("reports a name clash in the one message format with the AWS error as cause", async () => {
        const name = randomName();
        await createChecked({ name });
        const checked = await repository.check({}, { name });
        await assert.rejects(repository.create(checked.inputs as repository.RepositoryInputs), (e: Error) => {
            assert.match(e.message, new RegExp(`^creating ECR Repository \\(${name}\\): RepositoryAlreadyExistsException`));
            assert.match(e.message, /Hint: .*set `adoptExisting: true`/);
            assert.equal((e.cause as Error).name, "RepositoryAlreadyExistsException");
            return true;
        });
    });
});

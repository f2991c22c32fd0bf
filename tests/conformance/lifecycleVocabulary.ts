/**
 * The lifecycle policy vocabulary of the ECR reference ("Lifecycle policy properties in Amazon
 * ECR"), as documents both sides are held to: the provider's `check()` and the local endpoint's
 * PutLifecyclePolicy must accept every valid one and refuse every invalid one.
 */

/** A lifecycle policy document, as a user writes it. */
export type LifecycleDocument = { rules: unknown[] } | Record<string, unknown>;

/** A document and what it shows. */
export interface VocabularyCase {
    /** What the case is about, e.g. "countType sinceImagePulled". */
    name: string;
    document: LifecycleDocument;
}

/** A document ECR refuses, with the reason from the reference. */
export interface InvalidCase extends VocabularyCase {
    why: string;
}

// Every rule carries a description: PutLifecyclePolicy wants at least 100 characters of text.
const PAD = "a description long enough that the policy text passes ECR's 100-character minimum";

function rule(
    priority: number,
    selection: Record<string, unknown>,
    action: Record<string, unknown> = { type: "expire" },
): Record<string, unknown> {
    return { rulePriority: priority, description: PAD, selection, action };
}
const one = (selection: Record<string, unknown>, action?: Record<string, unknown>): LifecycleDocument => ({
    rules: [rule(1, selection, action)],
});

/** Documents ECR accepts. */
export const VALID_LIFECYCLE_DOCUMENTS: VocabularyCase[] = [
    { name: "untagged, imageCountMoreThan", document: one({ tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 5 }) },
    {
        name: "any, sinceImagePushed in days",
        document: one({ tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }),
    },
    {
        name: "tagged by tagPrefixList",
        document: one({ tagStatus: "tagged", tagPrefixList: ["v", "release"], countType: "imageCountMoreThan", countNumber: 3 }),
    },
    {
        name: "tagged by tagPatternList with four wildcards",
        document: one({ tagStatus: "tagged", tagPatternList: ["*te*st*1*"], countType: "imageCountMoreThan", countNumber: 3 }),
    },
    {
        name: "countType sinceImagePulled",
        document: one({ tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 30 }),
    },
    {
        name: "explicit storageClass standard",
        document: one({
            tagStatus: "untagged",
            storageClass: "standard",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 1,
        }),
    },
    {
        name: "transition to archive",
        document: one(
            { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 90 },
            { type: "transition", targetStorageClass: "archive" },
        ),
    },
    {
        name: "expire archived images by sinceImageTransitioned",
        document: one({
            tagStatus: "any",
            storageClass: "archive",
            countType: "sinceImageTransitioned",
            countUnit: "days",
            countNumber: 365,
        }),
    },
    {
        name: "several rules, 'any' evaluated last",
        document: {
            rules: [
                rule(1, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }),
                rule(2, { tagStatus: "tagged", tagPatternList: ["prod*"], countType: "imageCountMoreThan", countNumber: 10 }),
                rule(5, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 }),
            ],
        },
    },
];

/** Documents ECR refuses, each with why. */
export const INVALID_LIFECYCLE_DOCUMENTS: InvalidCase[] = [
    { name: "no rules", document: { description: PAD }, why: "rules is required and must not be empty" },
    { name: "empty rules", document: { rules: [], description: PAD }, why: "rules is required and must not be empty" },
    {
        name: "duplicate rulePriority",
        document: {
            rules: [
                rule(1, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }),
                rule(1, { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 1 }),
            ],
        },
        why: "each rule needs its own rulePriority",
    },
    {
        name: "rulePriority 0",
        document: { rules: [{ ...rule(0, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }) }] },
        why: "rulePriority is a positive integer",
    },
    {
        name: "unknown tagStatus",
        document: one({ tagStatus: "TAGGED", countType: "imageCountMoreThan", countNumber: 1 }),
        why: "tagStatus is tagged, untagged or any (lower case)",
    },
    {
        name: "tagged without a tag list",
        document: one({ tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 }),
        why: "tagged needs tagPrefixList or tagPatternList",
    },
    {
        name: "untagged with a tagPrefixList",
        document: one({ tagStatus: "untagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 1 }),
        why: "untagged must omit tagPrefixList and tagPatternList",
    },
    {
        name: "tagPatternList entry with five wildcards",
        document: one({ tagStatus: "tagged", tagPatternList: ["*a*b*c*d*"], countType: "imageCountMoreThan", countNumber: 1 }),
        why: "at most four wildcards per pattern",
    },
    {
        name: "unknown countType",
        document: one({ tagStatus: "any", countType: "sinceImageBuilt", countUnit: "days", countNumber: 1 }),
        why: "countType is one of the four documented",
    },
    {
        name: "sinceImagePushed without countUnit",
        document: one({ tagStatus: "any", countType: "sinceImagePushed", countNumber: 1 }),
        why: "age-based count types need countUnit days",
    },
    {
        name: "sinceImagePulled in hours",
        document: one({ tagStatus: "any", countType: "sinceImagePulled", countUnit: "hours", countNumber: 1 }),
        why: "days is the only countUnit",
    },
    {
        name: "imageCountMoreThan with countUnit",
        document: one({ tagStatus: "any", countType: "imageCountMoreThan", countUnit: "days", countNumber: 1 }),
        why: "countUnit is only for age-based count types",
    },
    {
        name: "countNumber 0",
        document: one({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 0 }),
        why: "countNumber is at least 1",
    },
    {
        name: "sinceImageTransitioned without storageClass archive",
        document: one({ tagStatus: "any", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 1 }),
        why: "sinceImageTransitioned requires storageClass archive",
    },
    {
        name: "storageClass archive with sinceImagePushed",
        document: one({ tagStatus: "any", storageClass: "archive", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }),
        why: "the other count types select standard images only",
    },
    {
        name: "unknown storageClass",
        document: one({ tagStatus: "any", storageClass: "glacier", countType: "imageCountMoreThan", countNumber: 1 }),
        why: "storageClass is standard or archive",
    },
    {
        name: "unknown action type",
        document: one({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }, { type: "delete" }),
        why: "action.type is expire or transition",
    },
    {
        name: "transition without targetStorageClass",
        document: one({ tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, { type: "transition" }),
        why: "transition needs targetStorageClass archive",
    },
    {
        name: "transition to an unknown storage class",
        document: one(
            { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
            { type: "transition", targetStorageClass: "standard" },
        ),
        why: "archive is the only targetStorageClass",
    },
    {
        name: "expire with a targetStorageClass",
        document: one(
            { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
            { type: "expire", targetStorageClass: "archive" },
        ),
        why: "targetStorageClass is only present when the action is transition",
    },
    {
        name: "two 'any' rules",
        document: {
            rules: [
                rule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }),
                rule(2, { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 5 }),
            ],
        },
        why: "the 'any' rule must have the highest priority, so there can be only one",
    },
    {
        name: "'any' rule not evaluated last",
        document: {
            rules: [
                rule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }),
                rule(2, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }),
            ],
        },
        why: "a rule with tagStatus any must have the highest rulePriority",
    },
];

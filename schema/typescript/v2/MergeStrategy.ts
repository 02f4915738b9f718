// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How a written value combines with what is there.
 */
export type MergeStrategy = "replace" | "upsert";

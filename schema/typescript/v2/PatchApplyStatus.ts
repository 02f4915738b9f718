// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a file change item is.
 */
export type PatchApplyStatus = "inProgress" | "completed" | "failed" | "declined";

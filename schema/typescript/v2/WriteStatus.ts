// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Whether the written value is the effective one.
 */
export type WriteStatus = "ok" | "okOverridden";

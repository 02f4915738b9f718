// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A patch of a thread's stored git metadata: a missing field is left unchanged, `null` clears it, a
 * non-empty string replaces it.
 */
export type ThreadMetadataGitInfoUpdateParams = { sha?: string | null, branch?: string | null, originUrl?: string | null, };

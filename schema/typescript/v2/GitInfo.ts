// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Git state of the thread's working directory when it was recorded.
 */
export type GitInfo = { sha: string | null, branch: string | null, originUrl: string | null, };

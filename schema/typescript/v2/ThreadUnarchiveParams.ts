// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/unarchive`.
 */
export type ThreadUnarchiveParams = { threadId: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/archive`.
 */
export type ThreadArchiveParams = { threadId: string, };

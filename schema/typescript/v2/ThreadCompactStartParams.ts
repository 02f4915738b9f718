// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/compact/start`.
 */
export type ThreadCompactStartParams = { threadId: string, };

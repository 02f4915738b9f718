// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/delete`.
 */
export type ThreadDeleteParams = { threadId: string, };

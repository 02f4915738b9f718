// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/name/set`.
 */
export type ThreadSetNameParams = { threadId: string, name: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/read`.
 */
export type ThreadReadParams = { threadId: string, includeTurns?: boolean, };

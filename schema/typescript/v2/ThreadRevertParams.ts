// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/revert` (0.171).
 */
export type ThreadRevertParams = { threadId: string, 
/**
 * The first turn dropped; every later turn goes too.
 */
beforeTurnId: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/rollback` (0.105).
 */
export type ThreadRollbackParams = { threadId: string, 
/**
 * How many turns to drop from the end of the thread; at least 1. Only the thread's history changes:
 * files the turns changed stay as they are.
 */
numTurns: number, };

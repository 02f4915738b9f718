// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/backgroundTerminals/terminate` (0.171).
 */
export type ThreadBackgroundTerminalsTerminateParams = { threadId: string, 
/**
 * A session id from the list (a decimal integer in a string).
 */
processId: string, };

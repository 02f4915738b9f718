// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/backgroundTerminals/clean`: ends every session of the thread.
 */
export type ThreadBackgroundTerminalsCleanParams = { threadId: string, };

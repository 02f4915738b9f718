// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/reverted`: a thread's history was cut back (`thread/revert`).
 */
export type ThreadRevertedNotification = { threadId: string, };

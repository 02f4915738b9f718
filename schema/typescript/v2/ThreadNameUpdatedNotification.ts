// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/name/updated`; `threadName` is omitted when the name was cleared.
 */
export type ThreadNameUpdatedNotification = { threadId: string, threadName?: string | null, };

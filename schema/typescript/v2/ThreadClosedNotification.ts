// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/closed`: the thread was unloaded (nobody follows it any more); `thread/resume` loads it again.
 */
export type ThreadClosedNotification = { threadId: string, };

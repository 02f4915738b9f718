// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/archived`.
 */
export type ThreadArchivedNotification = { threadId: string, };

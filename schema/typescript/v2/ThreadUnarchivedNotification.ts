// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/unarchived`.
 */
export type ThreadUnarchivedNotification = { threadId: string, };

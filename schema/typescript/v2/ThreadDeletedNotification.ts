// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/deleted`: a thread's rollout is gone.
 */
export type ThreadDeletedNotification = { threadId: string, };

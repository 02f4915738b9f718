// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `thread/compacted` (deprecated upstream in favour of the `contextCompaction` item; sent for clients
 * that still listen for it): the thread's history was compacted in turn `turn_id`.
 */
export type ContextCompactedNotification = { threadId: string, turnId: string, };

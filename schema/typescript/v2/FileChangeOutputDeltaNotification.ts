// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/fileChange/outputDelta` (deprecated upstream).
 */
export type FileChangeOutputDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/backgroundTerminals/clean`: `{}`, once every session's item has completed.
 */
export type ThreadBackgroundTerminalsCleanResponse = Record<string, never>;

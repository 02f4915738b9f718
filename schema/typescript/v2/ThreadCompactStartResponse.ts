// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/compact/start`: `{}`; the compaction runs as a turn of its own.
 */
export type ThreadCompactStartResponse = Record<string, never>;

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/inject_items`: `{}`.
 */
export type ThreadInjectItemsResponse = Record<string, never>;

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/delete`: `{}`.
 */
export type ThreadDeleteResponse = Record<string, never>;

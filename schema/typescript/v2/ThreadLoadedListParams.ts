// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/loaded/list`.
 */
export type ThreadLoadedListParams = { cursor?: string | null, limit?: number | null, };

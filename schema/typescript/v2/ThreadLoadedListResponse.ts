// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * One page of loaded thread ids.
 */
export type ThreadLoadedListResponse = { data: Array<string>, nextCursor: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItemEntry } from "./ThreadItemEntry";

/**
 * Result of `thread/items/list`.
 */
export type ThreadItemsListResponse = { data: Array<ThreadItemEntry>, 
/**
 * Continues after the last item of this page; null when there are no more.
 */
nextCursor: string | null, 
/**
 * For the opposite `sortDirection`, starting at (and including) this page's last item; null on an
 * empty page.
 */
backwardsCursor: string | null, };

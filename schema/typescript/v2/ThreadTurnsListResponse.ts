// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Turn } from "./Turn";

/**
 * Result of `thread/turns/list`.
 */
export type ThreadTurnsListResponse = { 
/**
 * Each turn's `itemsView` says how much of its `items` is included.
 */
data: Array<Turn>, 
/**
 * Continues after the last turn of this page; null when there are no more.
 */
nextCursor: string | null, 
/**
 * For the opposite `sortDirection`, starting at (and including) this page's last turn; null on an
 * empty page.
 */
backwardsCursor: string | null, };

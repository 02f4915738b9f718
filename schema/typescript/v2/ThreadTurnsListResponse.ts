// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ListedTurn } from "./ListedTurn";

/**
 * Result of `thread/turns/list`.
 */
export type ThreadTurnsListResponse = { data: Array<ListedTurn>, 
/**
 * Continues after the last turn of this page; null when there are no more.
 */
nextCursor: string | null, 
/**
 * For the opposite `sortDirection`, starting at (and including) this page's last turn; null on an
 * empty page.
 */
backwardsCursor: string | null, };

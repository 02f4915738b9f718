// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { SortDirection } from "./SortDirection";
import type { ThreadItemOutputDeferral } from "./ThreadItemOutputDeferral";
import type { ThreadItemsListCursor } from "./ThreadItemsListCursor";

/**
 * Params of `thread/items/list`.
 */
export type ThreadItemsListParams = { threadId: string, 
/**
 * Only this turn's items; the whole thread's when omitted.
 */
turnId: string | null, cursor: ThreadItemsListCursor | null, 
/**
 * Items per page.
 */
limit: number | null, 
/**
 * Defaults to ascending (oldest first).
 */
sortDirection: SortDirection | null, deferOutput: ThreadItemOutputDeferral | null, };

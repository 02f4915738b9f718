// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { SortDirection } from "./SortDirection";
import type { TurnItemsView } from "./TurnItemsView";

/**
 * Params of `thread/turns/list`.
 */
export type ThreadTurnsListParams = { threadId: string, 
/**
 * Opaque cursor from a previous page's `nextCursor` or `backwardsCursor`.
 */
cursor: string | null, 
/**
 * Turns per page.
 */
limit: number | null, 
/**
 * Defaults to descending (newest first).
 */
sortDirection: SortDirection | null, 
/**
 * Defaults to `summary`.
 */
itemsView: TurnItemsView | null, };

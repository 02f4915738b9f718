// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * Result of `thread/revert`: the thread without its turns, and cursors that page what is left backwards
 * (`sortDirection: "desc"`, the first page including the cursor's own entry).
 */
export type ThreadRevertResponse = { thread: Thread, 
/**
 * For `thread/turns/list`; `null` when no turn is left.
 */
turnsBackwardsCursor: string | null, 
/**
 * For `thread/items/list`; `null` when no item is left.
 */
itemsBackwardsCursor: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItem } from "./ThreadItem";
import type { TurnError } from "./TurnError";
import type { TurnItemsView } from "./TurnItemsView";
import type { TurnStatus } from "./TurnStatus";

/**
 * A turn as `thread/turns/list` returns it: the turn and how much of its items is included.
 */
export type ListedTurn = { itemsView: TurnItemsView, id: string, 
/**
 * Empty in turn/start and turn/started|completed; populated in history reads.
 */
items: Array<ThreadItem>, status: TurnStatus, 
/**
 * Set only when `status` is `failed`.
 */
error: TurnError | null, 
/**
 * Unix seconds.
 */
startedAt: number | null, 
/**
 * Unix seconds.
 */
completedAt: number | null, durationMs: number | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItem } from "./ThreadItem";
import type { TurnError } from "./TurnError";
import type { TurnItemsView } from "./TurnItemsView";
import type { TurnStatus } from "./TurnStatus";

/**
 * One user request and everything the agent did for it.
 */
export type Turn = { id: string, 
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
completedAt: number | null, durationMs: number | null, 
/**
 * How much of the turn `items` holds (0.171); absent means all of it.
 */
itemsView?: TurnItemsView | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItem } from "./ThreadItem";

/**
 * `item/completed`: the item's authoritative final state.
 */
export type ItemCompletedNotification = { item: ThreadItem, threadId: string, turnId: string, 
/**
 * Unix milliseconds when the item completed.
 */
completedAtMs: number, };

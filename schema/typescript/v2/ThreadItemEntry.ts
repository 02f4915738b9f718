// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItem } from "./ThreadItem";

/**
 * One listed item and the turn it belongs to.
 */
export type ThreadItemEntry = { turnId: string, item: ThreadItem, 
/**
 * Unix milliseconds; null when not recorded.
 */
startedAtMs: number | null, 
/**
 * Unix milliseconds; null when not recorded.
 */
completedAtMs: number | null, };

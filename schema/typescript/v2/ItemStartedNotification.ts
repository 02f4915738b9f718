// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItem } from "./ThreadItem";

/**
 * `item/started`.
 */
export type ItemStartedNotification = { item: ThreadItem, threadId: string, turnId: string, 
/**
 * Unix milliseconds when the item started.
 */
startedAtMs: number, };

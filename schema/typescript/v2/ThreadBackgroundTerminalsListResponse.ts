// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadBackgroundTerminal } from "./ThreadBackgroundTerminal";

/**
 * Result of `thread/backgroundTerminals/list`: one page of the running sessions, by session id.
 */
export type ThreadBackgroundTerminalsListResponse = { data: Array<ThreadBackgroundTerminal>, 
/**
 * Opaque cursor to pass to the next call to continue after the last item. If None, there are no more
 * items to return.
 */
nextCursor: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * One page of `thread/list`, newest first.
 */
export type ThreadListResponse = { data: Array<Thread>, 
/**
 * Null on the last page.
 */
nextCursor: string | null, };

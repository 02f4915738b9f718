// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadSortKey } from "./ThreadSortKey";
import type { ThreadSourceKind } from "./ThreadSourceKind";

/**
 * Params of `thread/list`.
 */
export type ThreadListParams = { cursor?: string | null, limit?: number | null, sortKey?: ThreadSortKey | null, modelProviders?: Array<string> | null, 
/**
 * Absent or empty means interactive sources only.
 */
sourceKinds?: Array<ThreadSourceKind> | null, archived?: boolean | null, cwd?: string | null, searchTerm?: string | null, };

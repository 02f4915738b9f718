// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { SortDirection } from "./SortDirection";
import type { ThreadListCwdFilter } from "./ThreadListCwdFilter";
import type { ThreadSortKey } from "./ThreadSortKey";
import type { ThreadSourceKind } from "./ThreadSourceKind";

/**
 * Params of `thread/list`.
 */
export type ThreadListParams = { cursor?: string | null, limit?: number | null, sortKey?: ThreadSortKey | null, modelProviders?: Array<string> | null, 
/**
 * Absent or empty means interactive sources only.
 */
sourceKinds?: Array<ThreadSourceKind> | null, archived?: boolean | null, cwd?: ThreadListCwdFilter | null, searchTerm?: string | null, sortDirection?: SortDirection | null, 
/**
 * Only these threads (at most 100).
 */
includedThreadIds?: Array<string> | null, 
/**
 * Not these threads (at most 100).
 */
excludedThreadIds?: Array<string> | null, 
/**
 * Only threads recorded by these originators (the host names given at `initialize`).
 */
originators?: Array<string> | null, 
/**
 * ChatGPT-account scoping: this server's history is not per account; refused when true.
 */
currentAccountOnly?: boolean | null, 
/**
 * Sections are not kept here; refused when set.
 */
sectionId?: string | null, 
/**
 * Accepted: this server always lists from the rollout files.
 */
useStateDbOnly?: boolean | null, };

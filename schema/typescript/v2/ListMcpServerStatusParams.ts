// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpServerStatusDetail } from "./McpServerStatusDetail";

/**
 * Params of `mcpServerStatus/list`. 0.105 knows `cursor` and `limit` only; the rest are 0.171's.
 */
export type ListMcpServerStatusParams = { 
/**
 * Opaque pagination cursor returned by a previous call.
 */
cursor?: string | null, 
/**
 * Optional page size; defaults to a server-defined value.
 */
limit?: number | null, 
/**
 * How much of each server's inventory to fetch; `full` when omitted.
 */
detail?: McpServerStatusDetail | null, 
/**
 * Limit discovery to one server. With a thread id, that thread's connection is used.
 */
serverName?: string | null, threadId?: string | null, 
/**
 * Select this environment's registration; requires `serverName` and `threadId`.
 */
environmentId?: string | null, };

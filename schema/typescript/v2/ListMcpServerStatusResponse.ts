// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpServerStatus } from "./McpServerStatus";

/**
 * Result of `mcpServerStatus/list`: one page of servers.
 */
export type ListMcpServerStatusResponse = { data: Array<McpServerStatus>, 
/**
 * Opaque cursor to pass to the next call to continue after the last item; null when there are no more.
 */
nextCursor: string | null, };

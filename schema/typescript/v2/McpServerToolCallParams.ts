// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Params of `mcpServer/tool/call`: call `tool` of server `server` as thread `threadId` has it.
 */
export type McpServerToolCallParams = { threadId: string, server: string, tool: string, 
/**
 * The tool's arguments (an object).
 */
arguments?: JsonValue | null, _meta?: JsonValue | null, 
/**
 * Exact registration scope; omitted, the server is chosen by name.
 */
environmentId?: string | null, };

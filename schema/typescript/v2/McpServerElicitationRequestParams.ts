// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { McpElicitationSchema } from "./McpElicitationSchema";

/**
 * Params of `mcpServer/elicitation/request`: which server asks, in which thread, and what (`mode`).
 */
export type McpServerElicitationRequestParams = { threadId: string, 
/**
 * The turn running when the server asked, if one could be told; null otherwise (MCP servers ask
 * on their own, outside any turn, too).
 */
turnId: string | null, serverName: string, 
/**
 * Registration scope, not necessarily the server's execution environment; omitted when absent.
 */
environmentId?: string | null, } & ({ "mode": "form", _meta: JsonValue | null, message: string, requestedSchema: McpElicitationSchema, } | { "mode": "openai/form", _meta: JsonValue | null, message: string, requestedSchema: JsonValue, } | { "mode": "openaiForm", _meta: JsonValue | null, message: string, requestedSchema: JsonValue, } | { "mode": "url", _meta: JsonValue | null, message: string, url: string, elicitationId: string, });

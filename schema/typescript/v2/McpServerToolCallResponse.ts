// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Result of `mcpServer/tool/call`: the tool's result as the MCP server returned it. Optional members are
 * omitted when absent.
 */
export type McpServerToolCallResponse = { 
/**
 * MCP content blocks (`text`, `image`, `audio`, `resource_link`, `resource`).
 */
content: Array<JsonValue>, structuredContent?: JsonValue | null, 
/**
 * Whether the tool reported a failure.
 */
isError?: boolean | null, _meta?: JsonValue | null, };

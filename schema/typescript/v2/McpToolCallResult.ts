// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * What an MCP tool returned.
 */
export type McpToolCallResult = { content: Array<JsonValue>, structuredContent: JsonValue | null, 
/**
 * The result's `_meta` (0.171; 0.105's schema allows it as an extra key).
 */
_meta: JsonValue | null, };

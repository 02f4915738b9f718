// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * What an MCP tool returned.
 */
export type McpToolCallResult = { content: Array<JsonValue>, structuredContent: JsonValue | null, };

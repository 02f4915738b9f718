// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Presentation metadata advertised by an initialized MCP server.
 */
export type McpServerInfo = { name: string, version: string, title?: string | null, description?: string | null, icons?: Array<JsonValue> | null, websiteUrl?: string | null, };

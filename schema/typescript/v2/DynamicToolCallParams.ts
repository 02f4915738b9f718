// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Params of the server->client `item/tool/call` request: run host tool `tool` for the model's call
 * `callId` with the model's `arguments` (parsed JSON).
 */
export type DynamicToolCallParams = { threadId: string, turnId: string, callId: string, 
/**
 * Always null: no namespaced tools are offered (0.171 sends the key; 0.105 does not know it).
 */
namespace: string | null, tool: string, arguments: JsonValue, };

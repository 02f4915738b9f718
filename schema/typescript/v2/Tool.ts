// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Definition for a tool the client can call.
 */
export type Tool = { name: string, title?: string | null, description?: string | null, 
/**
 * JSON Schema of the tool's arguments.
 */
inputSchema: JsonValue, 
/**
 * JSON Schema of the tool's structured result.
 */
outputSchema?: JsonValue | null, annotations?: JsonValue | null, icons?: Array<JsonValue> | null, _meta?: JsonValue | null, };

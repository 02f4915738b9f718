// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * A client-implemented tool offered to the model (experimental).
 */
export type DynamicToolSpec = { name: string, description: string, inputSchema: JsonValue, };

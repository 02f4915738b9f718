// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * A known resource that the server is capable of reading.
 */
export type Resource = { uri: string, name: string, title?: string | null, description?: string | null, mimeType?: string | null, 
/**
 * Size in bytes, when the server knows it.
 */
size?: number, annotations?: JsonValue | null, icons?: Array<JsonValue> | null, _meta?: JsonValue | null, };

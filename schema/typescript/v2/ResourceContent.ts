// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Contents returned when reading a resource from an MCP server: text, or base64 `blob` for binary data.
 */
export type ResourceContent = { 
/**
 * The URI of this resource.
 */
uri: string, mimeType?: string | null, text: string, _meta?: JsonValue | null, } | { 
/**
 * The URI of this resource.
 */
uri: string, mimeType?: string | null, 
/**
 * Base64-encoded bytes.
 */
blob: string, _meta?: JsonValue | null, };

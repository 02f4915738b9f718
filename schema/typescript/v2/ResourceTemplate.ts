// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * A template description for resources available on the server.
 */
export type ResourceTemplate = { 
/**
 * An RFC 6570 URI template.
 */
uriTemplate: string, name: string, title?: string | null, description?: string | null, mimeType?: string | null, annotations?: JsonValue | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { McpServerElicitationAction } from "./McpServerElicitationAction";

/**
 * The user's answer to `mcpServer/elicitation/request`.
 */
export type McpServerElicitationRequestResponse = { action: McpServerElicitationAction, 
/**
 * The form's values for `accept`; null for `decline` and `cancel`.
 */
content: JsonValue | null, 
/**
 * Optional client metadata for the server.
 */
_meta: JsonValue | null, };

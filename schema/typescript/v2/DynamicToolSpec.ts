// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { DynamicToolKind } from "./DynamicToolKind";

/**
 * A tool the host implements, offered to the model as a function tool. 0.171 tags it
 * `{"type": "function"}` (or `"namespace"`, a group of tools this server refuses); 0.105 sends no `type`.
 */
export type DynamicToolSpec = { type?: DynamicToolKind | null, name: string, description: string, 
/**
 * JSON Schema of the tool's arguments; required for a function.
 */
inputSchema?: JsonValue | null, 
/**
 * Load the tool only when the model searches for it; refused (upstream allows it only in a namespace).
 */
deferLoading?: boolean | null, 
/**
 * The older spelling of `deferLoading`: `false` defers loading.
 */
exposeToContext?: boolean | null, 
/**
 * A namespace's tools; refused.
 */
tools?: Array<JsonValue> | null, };

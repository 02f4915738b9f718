// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Params of `thread/inject_items`.
 */
export type ThreadInjectItemsParams = { threadId: string, 
/**
 * Raw Responses API items to append to the thread's model-visible history.
 */
items: Array<JsonValue>, };

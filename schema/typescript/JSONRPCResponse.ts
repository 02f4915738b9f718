// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RequestId } from "./RequestId";
import type { JsonValue } from "./serde_json/JsonValue";

/**
 * `{"id", "result"}`: the success answer to a request.
 */
export type JSONRPCResponse = { id: RequestId, result: JsonValue, };

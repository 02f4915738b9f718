// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RequestId } from "./RequestId";
import type { JsonValue } from "./serde_json/JsonValue";

/**
 * `{"id", "method", "params"?}`: a request expecting exactly one response.
 */
export type JSONRPCRequest = { id: RequestId, method: string, params?: JsonValue, };

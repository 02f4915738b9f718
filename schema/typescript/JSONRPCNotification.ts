// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "./serde_json/JsonValue";

/**
 * `{"method", "params"?}`: a one-way message.
 */
export type JSONRPCNotification = { method: string, params?: JsonValue, };

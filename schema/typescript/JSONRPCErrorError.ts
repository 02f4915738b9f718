// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "./serde_json/JsonValue";

/**
 * The body of an error answer.
 */
export type JSONRPCErrorError = { code: number, message: string, data?: JsonValue, };

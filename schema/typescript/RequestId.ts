// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A request id: a JSON string or a 64-bit integer, echoed back with the same JSON type.
 */
export type RequestId = string | number;

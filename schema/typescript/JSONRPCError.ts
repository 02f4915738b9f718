// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JSONRPCErrorError } from "./JSONRPCErrorError";
import type { RequestId } from "./RequestId";

/**
 * `{"id", "error"}`: the failure answer to a request. `id` is null when the request could not be read.
 */
export type JSONRPCError = { id: RequestId | null, error: JSONRPCErrorError, };

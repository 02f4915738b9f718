// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JSONRPCError } from "./JSONRPCError";
import type { JSONRPCNotification } from "./JSONRPCNotification";
import type { JSONRPCRequest } from "./JSONRPCRequest";
import type { JSONRPCResponse } from "./JSONRPCResponse";

/**
 * Any message on the wire. The shapes are told apart structurally, never by a tag.
 */
export type JSONRPCMessage = JSONRPCRequest | JSONRPCNotification | JSONRPCResponse | JSONRPCError;

// GENERATED CODE! DO NOT MODIFY BY HAND!

export * as serde_json from "./serde_json";
export * as v1 from "./v1";
export * as v2 from "./v2";
export type { ClientNotification } from "./ClientNotification";
export type { ClientRequest } from "./ClientRequest";
export type { JSONRPCError } from "./JSONRPCError";
export type { JSONRPCErrorError } from "./JSONRPCErrorError";
export type { JSONRPCMessage } from "./JSONRPCMessage";
export type { JSONRPCNotification } from "./JSONRPCNotification";
export type { JSONRPCRequest } from "./JSONRPCRequest";
export type { JSONRPCResponse } from "./JSONRPCResponse";
export type { NoParams } from "./NoParams";
export type { RequestId } from "./RequestId";
export type { ServerNotification } from "./ServerNotification";
export type { ServerRequest } from "./ServerRequest";

// GENERATED CODE! DO NOT MODIFY BY HAND!

export type { ClientInfo } from "./ClientInfo";
export type { InitializeCapabilities } from "./InitializeCapabilities";
export type { InitializeParams } from "./InitializeParams";
export type { InitializeResponse } from "./InitializeResponse";

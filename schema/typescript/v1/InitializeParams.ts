// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ClientInfo } from "./ClientInfo";
import type { InitializeCapabilities } from "./InitializeCapabilities";

/**
 * Params of `initialize`, the first request on every connection.
 */
export type InitializeParams = { clientInfo: ClientInfo, 
/**
 * Absent means every capability is off.
 */
capabilities?: InitializeCapabilities | null, };

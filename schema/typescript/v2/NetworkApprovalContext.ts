// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { NetworkApprovalProtocol } from "./NetworkApprovalProtocol";

/**
 * The network access a command asks for.
 */
export type NetworkApprovalContext = { host: string, protocol: NetworkApprovalProtocol, };

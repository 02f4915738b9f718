// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { NetworkPolicyAmendment } from "./NetworkPolicyAmendment";

/**
 * The client's decision on a command. Externally tagged; struct variants keep snake_case inner keys.
 */
export type CommandExecutionApprovalDecision = "accept" | "acceptForSession" | { "acceptWithExecpolicyAmendment": { execpolicy_amendment: Array<string>, } } | { "applyNetworkPolicyAmendment": { network_policy_amendment: NetworkPolicyAmendment, } } | "decline" | "cancel";

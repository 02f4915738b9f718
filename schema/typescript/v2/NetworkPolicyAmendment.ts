// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { NetworkPolicyRuleAction } from "./NetworkPolicyRuleAction";

/**
 * A proposed allow/deny rule for a host.
 */
export type NetworkPolicyAmendment = { host: string, action: NetworkPolicyRuleAction, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Whether a network rule allows or denies.
 */
export type NetworkPolicyRuleAction = "allow" | "deny";

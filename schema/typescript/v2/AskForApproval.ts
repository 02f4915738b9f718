// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { GranularApprovalConfig } from "./GranularApprovalConfig";

/**
 * When the agent asks before running a command: 0.171's values, which 0.105 clients know but for
 * `granular`. Kebab-case on the wire. Accepted on input too: the README's camelCase spellings, 0.105's
 * `on-failure` (read as `on-request`, as 0.171 does) and 0.105's `{"reject": {..}}` (read as the
 * `granular` policy allowing the prompts it did not reject).
 */
export type AskForApproval = "untrusted" | "on-request" | { "granular": GranularApprovalConfig } | "never";

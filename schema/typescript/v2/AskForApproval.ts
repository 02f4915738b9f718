// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RejectConfig } from "./RejectConfig";

/**
 * When the agent asks before running a command. Kebab-case on the wire; the README's camelCase
 * spellings are accepted on input.
 */
export type AskForApproval = "untrusted" | "on-failure" | "on-request" | { "reject": RejectConfig } | "never";

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { CommandExecutionApprovalDecision } from "./CommandExecutionApprovalDecision";

/**
 * The client's answer to `item/commandExecution/requestApproval`.
 */
export type CommandExecutionRequestApprovalResponse = { decision: CommandExecutionApprovalDecision, };

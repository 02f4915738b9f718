// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { CommandAction } from "./CommandAction";
import type { NetworkApprovalContext } from "./NetworkApprovalContext";
import type { NetworkPolicyAmendment } from "./NetworkPolicyAmendment";

/**
 * Params of `item/commandExecution/requestApproval`. Optional keys are omitted when absent.
 */
export type CommandExecutionRequestApprovalParams = { threadId: string, turnId: string, itemId: string, 
/**
 * Unix milliseconds when the approval request started.
 */
startedAtMs: number, 
/**
 * Set for sub-command callbacks only.
 */
approvalId?: string | null, reason?: string | null, networkApprovalContext?: NetworkApprovalContext | null, command?: string | null, cwd?: string | null, commandActions?: Array<CommandAction> | null, proposedExecpolicyAmendment?: Array<string> | null, proposedNetworkPolicyAmendments?: Array<NetworkPolicyAmendment> | null, };

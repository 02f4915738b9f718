// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { FileChangeApprovalDecision } from "./FileChangeApprovalDecision";

/**
 * The client's answer to `item/fileChange/requestApproval`.
 */
export type FileChangeRequestApprovalResponse = { decision: FileChangeApprovalDecision, };

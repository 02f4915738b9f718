// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The client's decision on a file change.
 */
export type FileChangeApprovalDecision = "accept" | "acceptForSession" | "decline" | "cancel";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `item/fileChange/requestApproval`; absent values are sent as null.
 */
export type FileChangeRequestApprovalParams = { threadId: string, turnId: string, itemId: string, 
/**
 * Unix milliseconds when the approval request started.
 */
startedAtMs: number, reason: string | null, 
/**
 * A directory the agent asks write access to for the rest of the session.
 */
grantRoot: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { ReasoningEffort } from "./ReasoningEffort";
import type { SandboxPolicy } from "./SandboxPolicy";
import type { Thread } from "./Thread";

/**
 * The answer to thread/start, thread/resume and thread/fork: the thread plus its resolved settings.
 */
export type ThreadStartResponse = { thread: Thread, model: string, modelProvider: string, cwd: string, approvalPolicy: AskForApproval, 
/**
 * Who reviews approval requests; always `user` here (and when 0.105 omits it).
 */
approvalsReviewer: ApprovalsReviewer, 
/**
 * The resolved policy object, not the `SandboxMode` string.
 */
sandbox: SandboxPolicy, reasoningEffort: ReasoningEffort | null, serviceTier: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { Personality } from "./Personality";
import type { SandboxMode } from "./SandboxMode";

/**
 * Params of `thread/resume`: the thread plus the same overrides as thread/start.
 */
export type ThreadResumeParams = { threadId: string, 
/**
 * Experimental: resume from these items instead of a stored rollout.
 */
history?: Array<JsonValue> | null, 
/**
 * Experimental: resume from this rollout file.
 */
path?: string | null, model?: string | null, modelProvider?: string | null, serviceTier?: string | null, cwd?: string | null, approvalPolicy?: AskForApproval | null, approvalsReviewer?: ApprovalsReviewer | null, sandbox?: SandboxMode | null, config?: { [key in string]?: JsonValue } | null, baseInstructions?: string | null, developerInstructions?: string | null, personality?: Personality | null, 
/**
 * Answer without the thread's turns (0.171).
 */
excludeTurns?: boolean | null, 
/**
 * Experimental.
 */
persistExtendedHistory?: boolean | null, };

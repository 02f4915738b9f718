// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { SandboxMode } from "./SandboxMode";

/**
 * Params of `thread/fork`: the source thread plus overrides (no personality).
 */
export type ThreadForkParams = { threadId: string, 
/**
 * Experimental: fork this rollout file instead.
 */
path?: string | null, model?: string | null, modelProvider?: string | null, serviceTier?: string | null, cwd?: string | null, approvalPolicy?: AskForApproval | null, approvalsReviewer?: ApprovalsReviewer | null, sandbox?: SandboxMode | null, config?: { [key in string]?: JsonValue } | null, baseInstructions?: string | null, developerInstructions?: string | null, ephemeral?: boolean | null, 
/**
 * Answer without the new thread's turns (0.171).
 */
excludeTurns?: boolean | null, 
/**
 * Fork only up to this turn (not served: refused when set).
 */
lastTurnId?: string | null, 
/**
 * The host's analytics classification of the thread; this server sends no analytics.
 */
threadSource?: JsonValue | null, 
/**
 * Experimental.
 */
persistExtendedHistory?: boolean | null, };

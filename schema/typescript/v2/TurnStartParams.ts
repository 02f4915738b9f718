// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { CollaborationMode } from "./CollaborationMode";
import type { Personality } from "./Personality";
import type { ReasoningEffort } from "./ReasoningEffort";
import type { ReasoningSummary } from "./ReasoningSummary";
import type { SandboxPolicy } from "./SandboxPolicy";
import type { UserInput } from "./UserInput";

/**
 * Params of `turn/start`. Overrides persist for later turns, except `outputSchema`.
 */
export type TurnStartParams = { threadId: string, input: Array<UserInput>, cwd?: string | null, approvalPolicy?: AskForApproval | null, sandboxPolicy?: SandboxPolicy | null, model?: string | null, effort?: ReasoningEffort | null, summary?: ReasoningSummary | null, personality?: Personality | null, 
/**
 * JSON Schema the final answer must follow; this turn only.
 */
outputSchema?: JsonValue | null, 
/**
 * Experimental: the collaboration mode for this and later turns; its settings take precedence over
 * `model` and `effort`.
 */
collaborationMode?: CollaborationMode | null, 
/**
 * Only `user` is served.
 */
approvalsReviewer?: ApprovalsReviewer | null, 
/**
 * The tier for this and later turns.
 */
serviceTier?: string | null, 
/**
 * The tier for this turn only (`default`: standard speed).
 */
serviceTierForTurn?: string | null, 
/**
 * The host's id for the user message, echoed as the message item's `clientId`.
 */
clientUserMessageId?: string | null, 
/**
 * Delegated work (not served: refused when set).
 */
parentTurnId?: string | null, 
/**
 * Delegated work (not served: refused when set).
 */
rootTurnId?: string | null, 
/**
 * Plugins (not served: refused unless empty).
 */
disabledPluginIds?: Array<string> | null, 
/**
 * A tool output to add instead of input (not served: refused when set).
 */
toolOutput?: JsonValue | null, 
/**
 * The host's analytics classification of the turn; this server sends no analytics.
 */
turnTrigger?: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { SandboxMode } from "./SandboxMode";
import type { ServiceTier } from "./ServiceTier";

/**
 * Params of `thread/fork`: the source thread plus overrides (no personality).
 */
export type ThreadForkParams = { threadId: string, 
/**
 * Experimental: fork this rollout file instead.
 */
path?: string | null, model?: string | null, modelProvider?: string | null, serviceTier?: ServiceTier | null, cwd?: string | null, approvalPolicy?: AskForApproval | null, approvalsReviewer?: ApprovalsReviewer | null, sandbox?: SandboxMode | null, config?: { [key in string]?: JsonValue } | null, baseInstructions?: string | null, developerInstructions?: string | null, ephemeral?: boolean | null, 
/**
 * Experimental.
 */
persistExtendedHistory?: boolean | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { AskForApproval } from "./AskForApproval";
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
 * Experimental.
 */
collaborationMode?: JsonValue | null, };

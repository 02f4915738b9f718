// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ApprovalsReviewer } from "./ApprovalsReviewer";
import type { AskForApproval } from "./AskForApproval";
import type { DynamicToolSpec } from "./DynamicToolSpec";
import type { Personality } from "./Personality";
import type { SandboxMode } from "./SandboxMode";

/**
 * Params of `thread/start`. Every field is optional, but the params object itself is required.
 */
export type ThreadStartParams = { model?: string | null, modelProvider?: string | null, serviceTier?: string | null, cwd?: string | null, approvalPolicy?: AskForApproval | null, approvalsReviewer?: ApprovalsReviewer | null, sandbox?: SandboxMode | null, 
/**
 * snake_case `config.toml` overrides; dotted keys allowed.
 */
config?: { [key in string]?: JsonValue } | null, serviceName?: string | null, baseInstructions?: string | null, developerInstructions?: string | null, personality?: Personality | null, ephemeral?: boolean | null, 
/**
 * The host's analytics classification of the session start; this server sends no analytics.
 */
sessionStartSource?: JsonValue | null, 
/**
 * The host's analytics classification of the thread; this server sends no analytics.
 */
threadSource?: JsonValue | null, 
/**
 * Experimental.
 */
dynamicTools?: Array<DynamicToolSpec> | null, 
/**
 * Experimental.
 */
experimentalRawEvents?: boolean | null, 
/**
 * Experimental.
 */
persistExtendedHistory?: boolean | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { CommandAction } from "./CommandAction";
import type { CommandExecutionSource } from "./CommandExecutionSource";
import type { CommandExecutionStatus } from "./CommandExecutionStatus";
import type { DynamicToolCallOutputContentItem } from "./DynamicToolCallOutputContentItem";
import type { DynamicToolCallStatus } from "./DynamicToolCallStatus";
import type { FileUpdateChange } from "./FileUpdateChange";
import type { McpToolCallError } from "./McpToolCallError";
import type { McpToolCallResult } from "./McpToolCallResult";
import type { McpToolCallStatus } from "./McpToolCallStatus";
import type { MessagePhase } from "./MessagePhase";
import type { PatchApplyStatus } from "./PatchApplyStatus";
import type { UserInput } from "./UserInput";
import type { WebSearchAction } from "./WebSearchAction";

/**
 * One thing that happened in a turn. Every variant has an `id`.
 */
export type ThreadItem = { "type": "userMessage", id: string, content: Array<UserInput>, 
/**
 * The host's own id for the message, from `clientUserMessageId`.
 */
clientId?: string | null, } | { "type": "agentMessage", id: string, text: string, 
/**
 * Null when the provider did not say; clients then treat the last message as the answer.
 */
phase: MessagePhase | null, } | { "type": "plan", id: string, text: string, } | { "type": "reasoning", id: string, summary: Array<string>, content: Array<string>, } | { "type": "commandExecution", id: string, command: string, cwd: string, 
/**
 * Identifier for the underlying PTY process (when available): the unified exec session's id.
 */
processId: string | null, status: CommandExecutionStatus, commandActions: Array<CommandAction>, aggregatedOutput: string | null, exitCode: number | null, durationMs: number | null, 
/**
 * Omitted for the model's commands (`agent`), as 0.105 never sends it.
 */
source?: CommandExecutionSource, } | { "type": "fileChange", id: string, changes: Array<FileUpdateChange>, status: PatchApplyStatus, } | { "type": "mcpToolCall", id: string, server: string, tool: string, status: McpToolCallStatus, arguments: JsonValue, result: McpToolCallResult | null, error: McpToolCallError | null, durationMs: number | null, } | { "type": "webSearch", id: string, query: string, action: WebSearchAction | null, } | { "type": "dynamicToolCall", id: string, 
/**
 * Always null: no namespaced tools are offered.
 */
namespace: string | null, tool: string, arguments: JsonValue, status: DynamicToolCallStatus, contentItems: Array<DynamicToolCallOutputContentItem> | null, success: boolean | null, durationMs: number | null, } | { "type": "imageView", id: string, path: string, } | { "type": "enteredReviewMode", id: string, 
/**
 * Short label of what is reviewed.
 */
review: string, } | { "type": "exitedReviewMode", id: string, 
/**
 * The full review text.
 */
review: string, } | { "type": "contextCompaction", id: string, };

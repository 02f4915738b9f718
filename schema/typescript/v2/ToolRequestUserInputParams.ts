// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ToolRequestUserInputQuestion } from "./ToolRequestUserInputQuestion";

/**
 * Params of `item/tool/requestUserInput`.
 */
export type ToolRequestUserInputParams = { threadId: string, turnId: string, 
/**
 * The model's call id.
 */
itemId: string, questions: Array<ToolRequestUserInputQuestion>, 
/**
 * Whether the turn waits for the answer (0.171); always `true` here.
 */
isBlocking: boolean, 
/**
 * Deprecated upstream (0.171); always `null` here: the request waits until answered.
 */
autoResolutionMs: number | null, };

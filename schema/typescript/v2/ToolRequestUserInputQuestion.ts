// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ToolRequestUserInputOption } from "./ToolRequestUserInputOption";

/**
 * One question and the choices offered for it.
 */
export type ToolRequestUserInputQuestion = { id: string, header: string, question: string, 
/**
 * Whether the host adds a free-form "Other" answer (always, for the model's questions).
 */
isOther: boolean, isSecret: boolean, options: Array<ToolRequestUserInputOption> | null, };

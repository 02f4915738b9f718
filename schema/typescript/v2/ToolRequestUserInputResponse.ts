// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ToolRequestUserInputAnswer } from "./ToolRequestUserInputAnswer";

/**
 * Result of `item/tool/requestUserInput`: the answers by question id.
 */
export type ToolRequestUserInputResponse = { answers: { [key in string]?: ToolRequestUserInputAnswer }, };

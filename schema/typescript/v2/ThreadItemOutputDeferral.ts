// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which saved outputs of a turn to leave out of the page, to fetch separately by item id.
 */
export type ThreadItemOutputDeferral = { 
/**
 * Experimental. Defer nonempty output from successful commands.
 */
commandExecution?: boolean, 
/**
 * Experimental. Defer nonempty plain-text results from successful MCP tool calls.
 */
mcpToolCall?: boolean, };

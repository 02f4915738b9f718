// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/mcpToolCall/progress`: a progress message from the MCP server running tool call `itemId`.
 */
export type McpToolCallProgressNotification = { threadId: string, turnId: string, itemId: string, message: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Why an MCP tool call failed.
 */
export type McpToolCallError = { message: string, };

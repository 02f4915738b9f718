// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where an MCP tool call is.
 */
export type McpToolCallStatus = "inProgress" | "completed" | "failed";

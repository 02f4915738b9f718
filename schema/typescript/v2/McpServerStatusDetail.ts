// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How much of a server's inventory `mcpServerStatus/list` fetches.
 */
export type McpServerStatusDetail = "full" | "toolsAndAuthOnly";

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { McpResourceReadTarget } from "./McpResourceReadTarget";

/**
 * Params of `mcpServer/resource/read`: read `uri` from server `server`.
 */
export type McpResourceReadParams = { 
/**
 * The thread whose connection to use; null reads through a connection of the server's own.
 */
threadId?: string | null, server: string, uri: string, 
/**
 * Additional MCP request metadata. Account and turn routing keys are reserved.
 */
_meta?: { [key in string]?: JsonValue } | null, connectorId?: string | null, 
/**
 * Exact registration scope; omitted, the server is chosen by name.
 */
environmentId?: string | null, 
/**
 * The MCP tool call whose app the resource belongs to.
 */
originCallId?: string | null, 
/**
 * An explicit hosted app and account; omitted, resources are discovered as before.
 */
target?: McpResourceReadTarget | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { McpAuthStatus } from "./McpAuthStatus";
import type { McpServerConnectionStatus } from "./McpServerConnectionStatus";
import type { McpServerInfo } from "./McpServerInfo";
import type { Resource } from "./Resource";
import type { ResourceTemplate } from "./ResourceTemplate";
import type { Tool } from "./Tool";

/**
 * One configured MCP server. The members after `authStatus` are 0.171's; 0.105's schema allows them
 * as extra keys. They are sent as null when unknown, as 0.171 does, but for `environmentId` and
 * `pluginId` (this server has no environments or plugins), which are omitted then.
 */
export type McpServerStatus = { name: string, 
/**
 * The server's tools by name.
 */
tools: { [key in string]?: Tool }, resources: Array<Resource>, resourceTemplates: Array<ResourceTemplate>, authStatus: McpAuthStatus, serverInfo: McpServerInfo | null, 
/**
 * Current thread-runtime connection state; null when unavailable or the configuration changed.
 */
runtimeStatus: McpServerConnectionStatus | null, 
/**
 * Capabilities advertised by the initialized server; null when unavailable.
 */
serverCapabilities: JsonValue | null, 
/**
 * Opaque `_meta` of the first page of the server's tool list; null when unavailable.
 */
toolListMeta: JsonValue | null, 
/**
 * HTTP origin of the configured endpoint (no credentials, path, query or fragment); null for
 * non-HTTP transports.
 */
httpOrigin: string | null, 
/**
 * Tool discovery failed and no catalog was returned; null when a catalog (maybe empty) was returned.
 */
toolsError: string | null, 
/**
 * The environment that contributed this registration; omitted for a thread-wide server.
 */
environmentId?: string | null, pluginId?: string | null, };

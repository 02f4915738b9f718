// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ResourceContent } from "./ResourceContent";

/**
 * Result of `mcpServer/resource/read`.
 */
export type McpResourceReadResponse = { contents: Array<ResourceContent>, 
/**
 * The originating call, when the server scoped the read to that call's app; omitted otherwise.
 */
originCallId?: string | null, };

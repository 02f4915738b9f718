// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationStringType } from "./McpElicitationStringType";

/**
 * Pick one of `enum`, shown as the matching `enumNames` (deprecated in MCP, still accepted).
 */
export type McpElicitationLegacyTitledEnumSchema = { type: McpElicitationStringType, title?: string | null, description?: string | null, enum: Array<string>, enumNames?: Array<string> | null, default?: string | null, };

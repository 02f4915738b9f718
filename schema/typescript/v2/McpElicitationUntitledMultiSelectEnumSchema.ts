// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationArrayType } from "./McpElicitationArrayType";
import type { McpElicitationUntitledEnumItems } from "./McpElicitationUntitledEnumItems";

/**
 * Pick several of `items.enum`.
 */
export type McpElicitationUntitledMultiSelectEnumSchema = { type: McpElicitationArrayType, title?: string | null, description?: string | null, minItems?: number, maxItems?: number, items: McpElicitationUntitledEnumItems, default?: Array<string> | null, };

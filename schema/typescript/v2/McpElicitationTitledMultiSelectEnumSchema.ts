// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationArrayType } from "./McpElicitationArrayType";
import type { McpElicitationTitledEnumItems } from "./McpElicitationTitledEnumItems";

/**
 * Pick several of `items.anyOf` (each a value and its title).
 */
export type McpElicitationTitledMultiSelectEnumSchema = { type: McpElicitationArrayType, title?: string | null, description?: string | null, minItems?: number, maxItems?: number, items: McpElicitationTitledEnumItems, default?: Array<string> | null, };

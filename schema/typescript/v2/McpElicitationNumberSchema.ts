// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationNumberType } from "./McpElicitationNumberType";

/**
 * A number field.
 */
export type McpElicitationNumberSchema = { type: McpElicitationNumberType, title?: string | null, description?: string | null, minimum?: number | null, maximum?: number | null, default?: number | null, };

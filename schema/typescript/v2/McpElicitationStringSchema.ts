// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationStringFormat } from "./McpElicitationStringFormat";
import type { McpElicitationStringType } from "./McpElicitationStringType";

/**
 * A free-text field.
 */
export type McpElicitationStringSchema = { type: McpElicitationStringType, title?: string | null, description?: string | null, minLength?: number | null, maxLength?: number | null, format?: McpElicitationStringFormat | null, default?: string | null, };

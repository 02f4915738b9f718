// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationBooleanType } from "./McpElicitationBooleanType";

/**
 * A yes/no field.
 */
export type McpElicitationBooleanSchema = { type: McpElicitationBooleanType, title?: string | null, description?: string | null, default?: boolean | null, };

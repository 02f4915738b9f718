// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationStringType } from "./McpElicitationStringType";

/**
 * Pick one of `enum`.
 */
export type McpElicitationUntitledSingleSelectEnumSchema = { type: McpElicitationStringType, title?: string | null, description?: string | null, enum: Array<string>, default?: string | null, };

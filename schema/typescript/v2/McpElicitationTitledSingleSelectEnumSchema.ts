// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationConstOption } from "./McpElicitationConstOption";
import type { McpElicitationStringType } from "./McpElicitationStringType";

/**
 * Pick one of `oneOf` (each a value and its title).
 */
export type McpElicitationTitledSingleSelectEnumSchema = { type: McpElicitationStringType, title?: string | null, description?: string | null, oneOf: Array<McpElicitationConstOption>, default?: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationStringType } from "./McpElicitationStringType";

/**
 * The choices of an untitled multi-select.
 */
export type McpElicitationUntitledEnumItems = { type: McpElicitationStringType, enum: Array<string>, };

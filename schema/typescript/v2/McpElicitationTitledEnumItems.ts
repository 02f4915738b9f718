// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationConstOption } from "./McpElicitationConstOption";

/**
 * The choices of a titled multi-select.
 */
export type McpElicitationTitledEnumItems = { anyOf: Array<McpElicitationConstOption>, };

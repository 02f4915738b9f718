// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpElicitationObjectType } from "./McpElicitationObjectType";
import type { McpElicitationPrimitiveSchema } from "./McpElicitationPrimitiveSchema";

/**
 * A form: named fields, some required.
 */
export type McpElicitationSchema = { $schema?: string | null, type: McpElicitationObjectType, properties: { [key in string]?: McpElicitationPrimitiveSchema }, 
/**
 * The names of the fields that must be filled in.
 */
required?: Array<string> | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `"boolean"`.
 */
export type McpElicitationBooleanType = "boolean";

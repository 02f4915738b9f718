// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `"string"`.
 */
export type McpElicitationStringType = "string";

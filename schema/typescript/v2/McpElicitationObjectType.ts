// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `"object"`.
 */
export type McpElicitationObjectType = "object";

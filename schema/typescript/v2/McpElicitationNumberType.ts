// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `"number"` or `"integer"`.
 */
export type McpElicitationNumberType = "number" | "integer";

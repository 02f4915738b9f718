// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `"array"`.
 */
export type McpElicitationArrayType = "array";

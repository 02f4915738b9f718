// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The formats a free-text field may require.
 */
export type McpElicitationStringFormat = "email" | "uri" | "date" | "date-time";

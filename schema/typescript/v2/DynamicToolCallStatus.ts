// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The state of a `dynamicToolCall` item.
 */
export type DynamicToolCallStatus = "inProgress" | "completed" | "failed";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What the user did with an elicitation.
 */
export type McpServerElicitationAction = "accept" | "decline" | "cancel";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A failure the client can act on.
 */
export type McpServerStartupFailureReason = "reauthenticationRequired";

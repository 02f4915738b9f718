// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The connection state of a server in a thread's runtime (0.171).
 */
export type McpServerConnectionStatus = "notStarted" | "starting" | "connected" | "authenticationRequired" | "failed" | "cancelled" | "disabled";

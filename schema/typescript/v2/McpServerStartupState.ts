// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a server's startup is.
 */
export type McpServerStartupState = "starting" | "ready" | "failed" | "cancelled";

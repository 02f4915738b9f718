// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Per-connection capabilities, fixed for the connection's lifetime.
 */
export type InitializeCapabilities = { 
/**
 * Opts in to methods, fields and variants marked experimental.
 */
experimentalApi: boolean, 
/**
 * Exact notification method names this connection does not want to receive.
 */
optOutNotificationMethods?: Array<string> | null, };

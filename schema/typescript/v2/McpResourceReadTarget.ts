// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The hosted app and account a resource is read from.
 */
export type McpResourceReadTarget = { connectorId: string, 
/**
 * Null explicitly asks for access without an account link, subject to the app's resource policy.
 */
linkId: string | null, };

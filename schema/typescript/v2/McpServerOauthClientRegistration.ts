// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How the OAuth client registers with the authorization server.
 */
export type McpServerOauthClientRegistration = "auto" | "cimd" | "dcr";

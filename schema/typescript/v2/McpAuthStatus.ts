// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How a server authenticates, and whether it is signed in. 0.105 does not know `unknown`: this server
 * sends `unsupported` rather than `unknown` so that both generations' clients read it.
 */
export type McpAuthStatus = "unknown" | "unsupported" | "notLoggedIn" | "bearerToken" | "oAuth";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `mcpServer/oauth/login`: the URL to open in a browser. `loginId` (0.171) names the attempt
 * in `mcpServer/oauthLogin/completed`; omitted when absent, as 0.105 never sends it.
 */
export type McpServerOauthLoginResponse = { authorizationUrl: string, loginId?: string | null, };

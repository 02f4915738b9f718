// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `mcpServer/oauthLogin/completed`: a login of server `name` ended. `error` is null on success;
 * `loginId` and `threadId` (0.171) are omitted when absent.
 */
export type McpServerOauthLoginCompletedNotification = { name: string, success: boolean, error: string | null, loginId?: string | null, threadId?: string | null, };

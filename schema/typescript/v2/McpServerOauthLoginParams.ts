// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpServerOauthClientRegistration } from "./McpServerOauthClientRegistration";

/**
 * Params of `mcpServer/oauth/login`: sign in to the configured server `name`. 0.105 knows `name`,
 * `scopes` and `timeoutSecs`; the rest are 0.171's.
 */
export type McpServerOauthLoginParams = { name: string, 
/**
 * Scopes to request; the server's configured scopes when null.
 */
scopes?: Array<string> | null, 
/**
 * Seconds to wait for the browser callback.
 */
timeoutSecs?: number | null, threadId?: string | null, 
/**
 * Exact registration scope; omitted, the server is chosen by name.
 */
environmentId?: string | null, 
/**
 * Registration strategy for this login only; automatic discovery when omitted.
 */
clientRegistration?: McpServerOauthClientRegistration | null, };

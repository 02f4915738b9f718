// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ChatgptAuthTokensRefreshReason } from "./ChatgptAuthTokensRefreshReason";

/**
 * Params of the server->client `account/chatgptAuthTokens/refresh` request.
 */
export type ChatgptAuthTokensRefreshParams = { reason: ChatgptAuthTokensRefreshReason, 
/**
 * The workspace id in use before, if known.
 */
previousAccountId: string | null, };

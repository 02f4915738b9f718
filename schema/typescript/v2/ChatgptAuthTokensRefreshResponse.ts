// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The host's answer to `account/chatgptAuthTokens/refresh`.
 */
export type ChatgptAuthTokensRefreshResponse = { accessToken: string, chatgptAccountId: string, chatgptPlanType: string | null, };

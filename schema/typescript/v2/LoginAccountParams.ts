// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `account/login/start`, tagged by `type`.
 */
export type LoginAccountParams = { "type": "apiKey", apiKey: string, } | { "type": "chatgpt" } | { "type": "chatgptAuthTokens", accessToken: string, chatgptAccountId: string, chatgptPlanType: string | null, };

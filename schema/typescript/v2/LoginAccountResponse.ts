// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `account/login/start`, tagged like the params.
 */
export type LoginAccountResponse = { "type": "apiKey" } | { "type": "chatgpt", loginId: string, authUrl: string, } | { "type": "chatgptAuthTokens" };

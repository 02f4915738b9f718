// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Why the server asks the host for fresh tokens.
 */
export type ChatgptAuthTokensRefreshReason = "unauthorized";

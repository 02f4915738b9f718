// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How the server is authenticated.
 */
export type AuthMode = "apikey" | "chatgpt" | "chatgptAuthTokens";

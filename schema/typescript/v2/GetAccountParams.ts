// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `account/read`.
 */
export type GetAccountParams = { 
/**
 * Refresh the ChatGPT token first; ignored in external-auth mode.
 */
refreshToken?: boolean, };

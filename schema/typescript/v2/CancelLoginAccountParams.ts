// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `account/login/cancel`.
 */
export type CancelLoginAccountParams = { loginId: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `account/login/completed`; `loginId` is null for synchronous logins.
 */
export type AccountLoginCompletedNotification = { loginId: string | null, success: boolean, error: string | null, };

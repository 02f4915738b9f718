// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `deprecationNotice`.
 */
export type DeprecationNoticeNotification = { summary: string, details: string | null, };

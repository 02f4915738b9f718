// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `initialize`.
 */
export type InitializeResponse = { userAgent: string, };

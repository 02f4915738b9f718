// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The account's credit balance.
 */
export type CreditsSnapshot = { hasCredits: boolean, unlimited: boolean, balance: string | null, };

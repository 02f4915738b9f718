// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Whether a login flow was found and canceled.
 */
export type CancelLoginAccountStatus = "canceled" | "notFound";

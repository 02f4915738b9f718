// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a review runs.
 */
export type ReviewDelivery = "inline" | "detached";

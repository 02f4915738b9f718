// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RateLimitSnapshot } from "./RateLimitSnapshot";

/**
 * `account/rateLimits/updated`: possibly sparse; clients merge it into the last read.
 */
export type AccountRateLimitsUpdatedNotification = { rateLimits: RateLimitSnapshot, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { CreditsSnapshot } from "./CreditsSnapshot";
import type { PlanType } from "./PlanType";
import type { RateLimitWindow } from "./RateLimitWindow";

/**
 * One rate-limit bucket's state. Every field is nullable; `account/rateLimits/updated` may be sparse.
 */
export type RateLimitSnapshot = { limitId: string | null, limitName: string | null, primary: RateLimitWindow | null, secondary: RateLimitWindow | null, credits: CreditsSnapshot | null, planType: PlanType | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { RateLimitSnapshot } from "./RateLimitSnapshot";

/**
 * Result of `account/rateLimits/read`. Both maps hold every known bucket keyed by its id (`"codex"`,
 * `"codex_other"`, ...): `rateLimitsByName` is this project's name, `rateLimitsByLimitId` upstream's.
 */
export type GetAccountRateLimitsResponse = { 
/**
 * The default (`codex`) bucket.
 */
rateLimits: RateLimitSnapshot, rateLimitsByName: { [key in string]?: RateLimitSnapshot } | null, rateLimitsByLimitId: { [key in string]?: RateLimitSnapshot } | null, };

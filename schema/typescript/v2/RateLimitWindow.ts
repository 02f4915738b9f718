// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Usage of one time window.
 */
export type RateLimitWindow = { 
/**
 * Rounded percent used.
 */
usedPercent: number, windowDurationMins: number | null, 
/**
 * Unix seconds.
 */
resetsAt: number | null, };

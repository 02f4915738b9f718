// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ReviewDelivery } from "./ReviewDelivery";
import type { ReviewTarget } from "./ReviewTarget";

/**
 * Params of `review/start`.
 */
export type ReviewStartParams = { threadId: string, target: ReviewTarget, 
/**
 * Where the review runs: `inline` (the default) as a turn of `threadId`, or `detached` (0.105) as a
 * turn of a new thread forked from it, whose id the response gives in `reviewThreadId`.
 */
delivery: ReviewDelivery | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { TokenUsageBreakdown } from "./TokenUsageBreakdown";

/**
 * Token usage of a thread: running total, the last request, and the context window.
 */
export type ThreadTokenUsage = { total: TokenUsageBreakdown, last: TokenUsageBreakdown, modelContextWindow: number | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Token counts of one request or a sum of requests.
 */
export type TokenUsageBreakdown = { totalTokens: number, inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningOutputTokens: number, };

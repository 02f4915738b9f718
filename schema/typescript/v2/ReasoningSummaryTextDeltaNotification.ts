// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/reasoning/summaryTextDelta`.
 */
export type ReasoningSummaryTextDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, summaryIndex: number, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/reasoning/summaryPartAdded`: a new summary part begins.
 */
export type ReasoningSummaryPartAddedNotification = { threadId: string, turnId: string, itemId: string, summaryIndex: number, };

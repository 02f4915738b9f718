// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/reasoning/textDelta`.
 */
export type ReasoningTextDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, contentIndex: number, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/plan/delta` (experimental): text of the proposed plan streaming in plan mode. The completed `plan`
 * item is authoritative: it holds the last plan of the message, which the deltas may not add up to.
 */
export type PlanDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, };

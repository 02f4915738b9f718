// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `turn/diff/updated`: the turn's aggregated unified diff so far.
 */
export type TurnDiffUpdatedNotification = { threadId: string, turnId: string, diff: string, };

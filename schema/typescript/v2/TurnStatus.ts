// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a turn is in its life.
 */
export type TurnStatus = "inProgress" | "completed" | "interrupted" | "failed";

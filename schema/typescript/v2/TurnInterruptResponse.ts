// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `turn/interrupt`: `{}`; the turn then completes as `interrupted`.
 */
export type TurnInterruptResponse = Record<string, never>;

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `turn/interrupt`.
 */
export type TurnInterruptParams = { threadId: string, turnId: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Turn } from "./Turn";

/**
 * `turn/completed`: the turn's final status (and error when failed).
 */
export type TurnCompletedNotification = { threadId: string, turn: Turn, };

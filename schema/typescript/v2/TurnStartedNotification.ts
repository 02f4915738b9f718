// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Turn } from "./Turn";

/**
 * `turn/started`.
 */
export type TurnStartedNotification = { threadId: string, turn: Turn, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Turn } from "./Turn";

/**
 * Result of `turn/start`: the new turn, `inProgress` with no items.
 */
export type TurnStartResponse = { turn: Turn, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Turn } from "./Turn";

/**
 * Result of `review/start`: the review's turn (`inProgress`, its one item the user message naming what
 * is reviewed) and the thread it runs in.
 */
export type ReviewStartResponse = { turn: Turn, reviewThreadId: string, };

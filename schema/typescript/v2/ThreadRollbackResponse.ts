// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * Result of `thread/rollback`: the thread after it, with its turns.
 */
export type ThreadRollbackResponse = { thread: Thread, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * Result of `thread/unarchive`.
 */
export type ThreadUnarchiveResponse = { thread: Thread, };

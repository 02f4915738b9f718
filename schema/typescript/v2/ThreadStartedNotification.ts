// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * `thread/started`.
 */
export type ThreadStartedNotification = { thread: Thread, };

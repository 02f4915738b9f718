// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadStatus } from "./ThreadStatus";

/**
 * `thread/status/changed`.
 */
export type ThreadStatusChangedNotification = { threadId: string, status: ThreadStatus, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadTokenUsage } from "./ThreadTokenUsage";

/**
 * `thread/tokenUsage/updated`.
 */
export type ThreadTokenUsageUpdatedNotification = { threadId: string, turnId: string, tokenUsage: ThreadTokenUsage, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Thread } from "./Thread";

/**
 * Result of `thread/metadata/update`: the thread as stored now (without turns).
 */
export type ThreadMetadataUpdateResponse = { thread: Thread, };

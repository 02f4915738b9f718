// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadActiveFlag } from "./ThreadActiveFlag";

/**
 * Whether a thread is loaded and what it is doing.
 */
export type ThreadStatus = { "type": "notLoaded" } | { "type": "idle" } | { "type": "systemError" } | { "type": "active", activeFlags: Array<ThreadActiveFlag>, };

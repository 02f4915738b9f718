// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ModeKind } from "./ModeKind";
import type { Settings } from "./Settings";

/**
 * A collaboration mode and its settings. Kept by the thread for later turns.
 */
export type CollaborationMode = { mode: ModeKind, settings: Settings, };

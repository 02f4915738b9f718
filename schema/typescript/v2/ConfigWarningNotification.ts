// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { TextRange } from "./TextRange";

/**
 * `configWarning`: a config-load problem; `path`/`range` are omitted when absent.
 */
export type ConfigWarningNotification = { summary: string, details: string | null, path?: string | null, range?: TextRange | null, };

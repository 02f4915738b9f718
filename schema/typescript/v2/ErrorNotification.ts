// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { TurnError } from "./TurnError";

/**
 * `error`: a turn hit an error; with `willRetry` the turn continues.
 */
export type ErrorNotification = { error: TurnError, willRetry: boolean, threadId: string, turnId: string, };

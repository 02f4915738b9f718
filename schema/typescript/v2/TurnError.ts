// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { CodexErrorInfo } from "./CodexErrorInfo";

/**
 * Why a turn failed (also the payload of the `error` notification).
 */
export type TurnError = { message: string, codexErrorInfo: CodexErrorInfo | null, additionalDetails: string | null, };

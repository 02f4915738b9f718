// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { AuthMode } from "./AuthMode";
import type { PlanType } from "./PlanType";

/**
 * `account/updated`; `planType` is omitted when unknown (0.105 sends only `authMode`).
 */
export type AccountUpdatedNotification = { authMode: AuthMode | null, planType?: PlanType | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { TurnPlanStep } from "./TurnPlanStep";

/**
 * `turn/plan/updated`.
 */
export type TurnPlanUpdatedNotification = { threadId: string, turnId: string, explanation: string | null, plan: Array<TurnPlanStep>, };

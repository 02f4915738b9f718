// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { TurnPlanStepStatus } from "./TurnPlanStepStatus";

/**
 * One step of the agent's plan.
 */
export type TurnPlanStep = { step: string, status: TurnPlanStepStatus, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Progress of a plan step.
 */
export type TurnPlanStepStatus = "pending" | "inProgress" | "completed";

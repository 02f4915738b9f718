// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { InputModality } from "./InputModality";
import type { ReasoningEffort } from "./ReasoningEffort";
import type { ReasoningEffortOption } from "./ReasoningEffortOption";

/**
 * A model a thread can use.
 */
export type Model = { id: string, model: string, 
/**
 * The model this one should be upgraded to, if any.
 */
upgrade: string | null, displayName: string, description: string, hidden: boolean, supportedReasoningEfforts: Array<ReasoningEffortOption>, defaultReasoningEffort: ReasoningEffort, inputModalities: Array<InputModality>, supportsPersonality: boolean, isDefault: boolean, };

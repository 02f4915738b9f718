// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ReasoningEffort } from "./ReasoningEffort";

/**
 * A reasoning effort a model supports, with a description for pickers.
 */
export type ReasoningEffortOption = { reasoningEffort: ReasoningEffort, description: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ReasoningEffort } from "./ReasoningEffort";

/**
 * The settings of a collaboration mode; they take precedence over the turn's `model` and `effort`.
 * Field names are snake_case on the wire, as upstream.
 */
export type Settings = { model: string, 
/**
 * `null`: the model's default effort.
 */
reasoning_effort: ReasoningEffort | null, 
/**
 * `null`: the built-in instructions of the mode.
 */
developer_instructions: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How hard the model thinks.
 */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max" | "ultra";

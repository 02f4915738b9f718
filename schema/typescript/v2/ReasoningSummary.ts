// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How much reasoning summary the model returns.
 */
export type ReasoningSummary = "auto" | "concise" | "detailed" | "none";

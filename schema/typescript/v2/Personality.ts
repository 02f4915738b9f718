// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The agent's conversational style.
 */
export type Personality = "friendly" | "pragmatic" | "none";

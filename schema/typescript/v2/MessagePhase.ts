// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Whether an agent message is progress narration or the turn's answer. snake_case on the wire.
 */
export type MessagePhase = "commentary" | "final_answer";

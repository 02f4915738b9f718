// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The user's answer to one question: the chosen labels and any text they wrote.
 */
export type ToolRequestUserInputAnswer = { answers: Array<string>, };

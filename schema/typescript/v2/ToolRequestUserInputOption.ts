// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * One choice of a question.
 */
export type ToolRequestUserInputOption = { label: string, description: string, };

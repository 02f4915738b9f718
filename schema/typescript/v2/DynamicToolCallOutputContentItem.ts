// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * One part of a host tool's output.
 */
export type DynamicToolCallOutputContentItem = { "type": "inputText", text: string, } | { "type": "inputImage", imageUrl: string, } | { "type": "inputAudio", audioUrl: string, };

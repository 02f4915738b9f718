// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { DynamicToolCallOutputContentItem } from "./DynamicToolCallOutputContentItem";

/**
 * The host's answer to `item/tool/call`: what the model is given, and whether the tool succeeded.
 */
export type DynamicToolCallResponse = { contentItems: Array<DynamicToolCallOutputContentItem>, success: boolean, };

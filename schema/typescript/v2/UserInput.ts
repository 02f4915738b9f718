// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ImageDetail } from "./ImageDetail";
import type { TextElement } from "./TextElement";

/**
 * One piece of user input.
 */
export type UserInput = { "type": "text", text: string, 
/**
 * UI elements inside `text`. The key is snake_case on the wire.
 */
text_elements: Array<TextElement>, } | { "type": "image", url?: string | null, fileId?: string | null, detail?: ImageDetail | null, } | { "type": "localImage", path: string, 
/**
 * 0.171; `high` when absent.
 */
detail?: ImageDetail | null, } | { "type": "skill", name: string, path: string, } | { "type": "mention", name: string, path: string, };

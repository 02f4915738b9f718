// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ByteRange } from "./ByteRange";

/**
 * A UI element (e.g. a pasted-file chip) spanning a byte range of the text.
 */
export type TextElement = { byteRange: ByteRange, placeholder: string | null, };

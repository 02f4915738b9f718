// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A half-open byte range `[start, end)` into UTF-8 text.
 */
export type ByteRange = { start: number, end: number, };

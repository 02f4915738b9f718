// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A 1-based line and column.
 */
export type TextPosition = { line: number, column: number, };

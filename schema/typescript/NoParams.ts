// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The params of a method that takes none: a missing `params`, `null` and `{}` all decode to it.
 */
export type NoParams = Record<string, never>;

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which saved outputs of a turn to fetch separately; it has no options yet.
 */
export type ThreadItemOutputDeferral = Record<string, never>;

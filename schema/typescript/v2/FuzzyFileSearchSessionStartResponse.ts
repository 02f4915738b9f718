// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `fuzzyFileSearch/sessionStart`.
 */
export type FuzzyFileSearchSessionStartResponse = Record<string, never>;

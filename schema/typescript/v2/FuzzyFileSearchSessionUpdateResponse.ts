// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `fuzzyFileSearch/sessionUpdate`.
 */
export type FuzzyFileSearchSessionUpdateResponse = Record<string, never>;

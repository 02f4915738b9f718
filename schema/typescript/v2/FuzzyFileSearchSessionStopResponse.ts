// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `fuzzyFileSearch/sessionStop`.
 */
export type FuzzyFileSearchSessionStopResponse = Record<string, never>;

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `fuzzyFileSearch/sessionStop`.
 */
export type FuzzyFileSearchSessionStopParams = { sessionId: string, };

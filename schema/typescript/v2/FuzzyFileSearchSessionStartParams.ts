// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `fuzzyFileSearch/sessionStart`: a session over `roots`, walked once.
 */
export type FuzzyFileSearchSessionStartParams = { sessionId: string, roots: Array<string>, };

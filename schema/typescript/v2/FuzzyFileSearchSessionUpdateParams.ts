// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `fuzzyFileSearch/sessionUpdate`: the session's new query.
 */
export type FuzzyFileSearchSessionUpdateParams = { sessionId: string, query: string, };

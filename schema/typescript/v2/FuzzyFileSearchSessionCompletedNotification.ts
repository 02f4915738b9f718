// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `fuzzyFileSearch/sessionCompleted`: the session's query has its final matches.
 */
export type FuzzyFileSearchSessionCompletedNotification = { sessionId: string, };

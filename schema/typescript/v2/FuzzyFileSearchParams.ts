// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `fuzzyFileSearch`.
 */
export type FuzzyFileSearchParams = { query: string, roots: Array<string>, 
/**
 * A search with the same token still running is cancelled (it answers no files).
 */
cancellationToken?: string | null, };

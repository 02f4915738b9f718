// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { FuzzyFileSearchMatchType } from "./FuzzyFileSearchMatchType";

/**
 * One match: a path relative to one of the roots, its score and the characters of the path that matched.
 */
export type FuzzyFileSearchResult = { 
/**
 * The root it was found under, as the request wrote it.
 */
root: string, 
/**
 * Relative to `root`, `/`-separated.
 */
path: string, match_type: FuzzyFileSearchMatchType, file_name: string, score: number, 
/**
 * Positions (in characters) of `path` the query matched, ascending.
 */
indices: Array<number> | null, };

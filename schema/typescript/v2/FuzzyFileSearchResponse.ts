// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { FuzzyFileSearchResult } from "./FuzzyFileSearchResult";

/**
 * Result of `fuzzyFileSearch`: at most 50 matches, best first.
 */
export type FuzzyFileSearchResponse = { files: Array<FuzzyFileSearchResult>, };

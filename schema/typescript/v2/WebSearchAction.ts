// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What a web search did. Tags are 0.171's camelCase; 0.105's snake_case spellings are accepted on input.
 */
export type WebSearchAction = { "type": "search", query: string | null, queries: Array<string> | null, } | { "type": "openPage", url: string | null, } | { "type": "findInPage", url: string | null, pattern: string | null, } | { "type": "other" };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What a web search did. The two snake_case tags are upstream 0.105's spelling.
 */
export type WebSearchAction = { "type": "search", query: string | null, queries: Array<string> | null, } | { "type": "open_page", url: string | null, } | { "type": "find_in_page", url: string | null, pattern: string | null, } | { "type": "other" };

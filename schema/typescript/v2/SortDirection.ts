// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which way `thread/list` sorts (0.171); newest first by default.
 */
export type SortDirection = "asc" | "desc";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which timestamp `thread/list` sorts by (newest first).
 */
export type ThreadSortKey = "created_at" | "updated_at" | "recency_at" | "section_position";

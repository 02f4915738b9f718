// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ThreadItemsListAnchor } from "./ThreadItemsListAnchor";

/**
 * Starting position for an item page: an opaque cursor, or an item anchor inside `turnId`.
 */
export type ThreadItemsListCursor = string | ThreadItemsListAnchor;

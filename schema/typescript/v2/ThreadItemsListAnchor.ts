// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * An exclusive item position within the requested turn.
 */
export type ThreadItemsListAnchor = { "type": "item", itemId: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How much of a turn's items a `Turn` carries.
 */
export type TurnItemsView = "notLoaded" | "summary" | "full";

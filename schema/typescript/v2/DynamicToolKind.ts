// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What a [`DynamicToolSpec`] describes.
 */
export type DynamicToolKind = "function" | "namespace";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The processing tier requested from the model provider.
 */
export type ServiceTier = "fast" | "flex";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Network access inside an externally managed sandbox.
 */
export type NetworkAccess = "restricted" | "enabled";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * What a read-only (or workspace-write) sandbox may read.
 */
export type ReadOnlyAccess = { "type": "restricted", includePlatformDefaults: boolean, readableRoots: Array<string>, } | { "type": "fullAccess" };

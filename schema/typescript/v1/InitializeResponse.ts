// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `initialize`.
 */
export type InitializeResponse = { userAgent: string, 
/**
 * Absolute path of the server's `CODEX_HOME`.
 */
codexHome: string, 
/**
 * `"unix"` or `"windows"`.
 */
platformFamily: string, 
/**
 * `"linux"`, `"macos"`, `"windows"`, ...
 */
platformOs: string, };

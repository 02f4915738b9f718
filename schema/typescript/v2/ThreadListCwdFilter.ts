// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The `cwd` filter of `thread/list`: one directory (0.105) or any of several (0.171).
 */
export type ThreadListCwdFilter = string | Array<string>;

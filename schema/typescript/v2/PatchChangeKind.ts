// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How a patch changes a file. The update variant's key is snake_case.
 */
export type PatchChangeKind = { "type": "add" } | { "type": "delete" } | { "type": "update", move_path: string | null, };

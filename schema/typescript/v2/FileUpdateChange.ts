// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { PatchChangeKind } from "./PatchChangeKind";

/**
 * One file touched by a patch.
 */
export type FileUpdateChange = { path: string, kind: PatchChangeKind, diff: string, };

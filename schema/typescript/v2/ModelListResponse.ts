// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { Model } from "./Model";

/**
 * One page of models.
 */
export type ModelListResponse = { data: Array<Model>, nextCursor: string | null, };

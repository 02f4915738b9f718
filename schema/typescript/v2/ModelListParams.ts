// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `model/list`.
 */
export type ModelListParams = { cursor?: string | null, limit?: number | null, includeHidden?: boolean | null, };

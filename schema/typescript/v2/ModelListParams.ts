// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `model/list`.
 */
export type ModelListParams = { cursor?: string | null, limit?: number | null, includeHidden?: boolean | null, 
/**
 * 0.171: the provider whose models to list; only the configured provider is served.
 */
modelProvider?: string | null, };

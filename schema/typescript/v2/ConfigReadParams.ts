// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `config/read`.
 */
export type ConfigReadParams = { includeLayers?: boolean, 
/**
 * Resolve project layers for this directory.
 */
cwd?: string | null, };

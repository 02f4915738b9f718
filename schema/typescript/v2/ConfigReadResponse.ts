// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ConfigLayer } from "./ConfigLayer";
import type { ConfigLayerMetadata } from "./ConfigLayerMetadata";

/**
 * Result of `config/read`.
 */
export type ConfigReadResponse = { 
/**
 * The effective config; keys are snake_case `config.toml` keys.
 */
config: { [key in string]?: JsonValue }, 
/**
 * Which layer set each key path.
 */
origins: { [key in string]?: ConfigLayerMetadata }, 
/**
 * Present only when `includeLayers` was set.
 */
layers?: Array<ConfigLayer>, };

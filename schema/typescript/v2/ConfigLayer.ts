// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ConfigLayerSource } from "./ConfigLayerSource";

/**
 * One config layer and its content.
 */
export type ConfigLayer = { name: ConfigLayerSource, version: string, config: JsonValue, disabledReason?: string, };

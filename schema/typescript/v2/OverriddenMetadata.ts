// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { ConfigLayerMetadata } from "./ConfigLayerMetadata";

/**
 * Which layer overrides a written value, and the value in effect.
 */
export type OverriddenMetadata = { message: string, overridingLayer: ConfigLayerMetadata, effectiveValue: JsonValue, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ConfigLayerSource } from "./ConfigLayerSource";

/**
 * A config layer's identity and content version.
 */
export type ConfigLayerMetadata = { name: ConfigLayerSource, version: string, };

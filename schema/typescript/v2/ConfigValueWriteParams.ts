// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { MergeStrategy } from "./MergeStrategy";

/**
 * Params of `config/value/write`.
 */
export type ConfigValueWriteParams = { 
/**
 * Dotted key path, e.g. `model` or `profiles.fast.model`.
 */
keyPath: string, value: JsonValue, mergeStrategy: MergeStrategy, 
/**
 * Defaults to the user config file.
 */
filePath?: string | null, 
/**
 * Fail with `configVersionConflict` unless the file still has this version.
 */
expectedVersion?: string | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
import type { MergeStrategy } from "./MergeStrategy";

/**
 * One edit of a `config/batchWrite`.
 */
export type ConfigEdit = { keyPath: string, value: JsonValue, mergeStrategy: MergeStrategy, };

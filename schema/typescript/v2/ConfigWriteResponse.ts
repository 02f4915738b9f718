// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { OverriddenMetadata } from "./OverriddenMetadata";
import type { WriteStatus } from "./WriteStatus";

/**
 * Result of `config/value/write` and `config/batchWrite`.
 */
export type ConfigWriteResponse = { status: WriteStatus, 
/**
 * Opaque content hash of the file after the write.
 */
version: string, filePath: string, overriddenMetadata: OverriddenMetadata | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ConfigEdit } from "./ConfigEdit";

/**
 * Params of `config/batchWrite`: edits applied atomically to one file.
 */
export type ConfigBatchWriteParams = { edits: Array<ConfigEdit>, filePath?: string | null, expectedVersion?: string | null, 
/**
 * 0.171: reload the written config into loaded threads; refused when true (new threads read it).
 */
reloadUserConfig: boolean, };

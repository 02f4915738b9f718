// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Empty success response for `command/exec/write`.
 */
export type CommandExecWriteResponse = Record<string, never>;

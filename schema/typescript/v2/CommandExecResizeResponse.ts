// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Empty success response for `command/exec/resize`.
 */
export type CommandExecResizeResponse = Record<string, never>;

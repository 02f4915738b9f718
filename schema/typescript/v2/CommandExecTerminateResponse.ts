// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Empty success response for `command/exec/terminate`.
 */
export type CommandExecTerminateResponse = Record<string, never>;

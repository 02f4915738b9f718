// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Terminate a running `command/exec` session.
 */
export type CommandExecTerminateParams = { 
/**
 * Client-supplied, connection-scoped `processId` from the original `command/exec` request.
 */
processId: string, };

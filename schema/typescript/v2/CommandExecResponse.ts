// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `command/exec`, sent after the process exits.
 */
export type CommandExecResponse = { exitCode: number, stdout: string, stderr: string, };

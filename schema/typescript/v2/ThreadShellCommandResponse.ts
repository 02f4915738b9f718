// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `thread/shellCommand`: `{}`, sent before the command's turn starts.
 */
export type ThreadShellCommandResponse = Record<string, never>;

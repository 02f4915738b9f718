// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Who ran a command: the model (`agent`) or the host's user through `thread/shellCommand` (`userShell`).
 */
export type CommandExecutionSource = "agent" | "userShell";

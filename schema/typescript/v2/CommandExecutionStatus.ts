// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a command execution item is.
 */
export type CommandExecutionStatus = "inProgress" | "completed" | "failed" | "declined";

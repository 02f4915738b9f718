// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Stream label for `command/exec/outputDelta` notifications.
 */
export type CommandExecOutputStream = "stdout" | "stderr";

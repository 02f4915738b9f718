// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/commandExecution/outputDelta`.
 */
export type CommandExecutionOutputDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, };

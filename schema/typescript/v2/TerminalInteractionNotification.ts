// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/commandExecution/terminalInteraction`: the model wrote `stdin` to the unified exec session
 * `processId` (an empty `stdin` is a poll for output); `itemId` is the item of the command that started the
 * session.
 */
export type TerminalInteractionNotification = { threadId: string, turnId: string, itemId: string, processId: string, stdin: string, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Who ran a command: the model (`agent`), the host's user through `thread/shellCommand` (`userShell`), or
 * the model starting a unified exec session with `exec_command` (`unifiedExecStartup`, 0.171). 0.171's
 * `unifiedExecInteraction` is never sent: a write to a session is `item/commandExecution/terminalInteraction`.
 */
export type CommandExecutionSource = "agent" | "userShell" | "unifiedExecStartup";

// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/shellCommand`.
 */
export type ThreadShellCommandParams = { threadId: string, 
/**
 * A shell command line, run by the user's shell with `-lc` (pipes, redirects and quoting kept).
 * Runs unsandboxed: the host's user typed it, the model did not.
 */
command: string, 
/**
 * Milliseconds before the command is killed; one hour when null. Zero times out at once.
 */
timeoutMs: number | null, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { CommandExecTerminalSize } from "./CommandExecTerminalSize";
import type { SandboxPolicy } from "./SandboxPolicy";

/**
 * Params of `command/exec`.
 */
export type CommandExecParams = { 
/**
 * argv; must be non-empty.
 */
command: Array<string>, timeoutMs?: number | null, cwd?: string | null, sandboxPolicy?: SandboxPolicy | null, 
/**
 * Client-supplied, connection-scoped id; required to stream or to drive the process (0.171).
 */
processId?: string | null, 
/**
 * Runs the command in a PTY; implies `streamStdin` and `streamStdoutStderr`.
 */
tty: boolean, streamStdin: boolean, streamStdoutStderr: boolean, 
/**
 * Initial PTY size; only with `tty` (default 24x80).
 */
size?: CommandExecTerminalSize | null, 
/**
 * Environment overrides merged into the command's environment; `null` unsets a variable.
 */
env?: { [key in string]?: string | null } | null, 
/**
 * Runs without a timeout; cannot be combined with `timeoutMs`.
 */
disableTimeout: boolean, 
/**
 * Per-stream cap in bytes (0.171): later output of a stream is dropped.
 */
outputBytesCap?: bigint | null, 
/**
 * Streams without a cap (refused for buffered output, which is always capped here).
 */
disableOutputCap: boolean, };

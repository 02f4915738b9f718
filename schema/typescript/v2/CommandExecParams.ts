// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";
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
 * 0.171's streaming and terminal fields, refused when set (interactive processes are not served yet).
 */
processId?: string | null, tty: boolean, streamStdin: boolean, streamStdoutStderr: boolean, size?: JsonValue | null, 
/**
 * Environment overrides merged into the command's environment; `null` unsets a variable.
 */
env?: { [key in string]?: string | null } | null, 
/**
 * Runs without a timeout; cannot be combined with `timeoutMs`.
 */
disableTimeout: boolean, 
/**
 * Per-stream capture cap in bytes (0.171); refused when set.
 */
outputBytesCap?: bigint | null, 
/**
 * Refused when true: output capture is always capped here.
 */
disableOutputCap: boolean, };

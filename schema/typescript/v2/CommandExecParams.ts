// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { SandboxPolicy } from "./SandboxPolicy";

/**
 * Params of `command/exec`.
 */
export type CommandExecParams = { 
/**
 * argv; must be non-empty.
 */
command: Array<string>, timeoutMs?: number | null, cwd?: string | null, sandboxPolicy?: SandboxPolicy | null, };

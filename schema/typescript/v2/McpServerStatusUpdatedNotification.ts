// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { McpServerStartupFailureReason } from "./McpServerStartupFailureReason";
import type { McpServerStartupState } from "./McpServerStartupState";

/**
 * `mcpServer/startupStatus/updated` (0.171): a server's startup moved on. Optional members are omitted
 * when absent.
 */
export type McpServerStatusUpdatedNotification = { name: string, status: McpServerStartupState, 
/**
 * Why the server failed, for `failed`.
 */
error?: string | null, failureReason?: McpServerStartupFailureReason | null, 
/**
 * The thread whose runtime started the server; omitted for a server shared by every thread.
 */
threadId?: string | null, 
/**
 * Registration scope, not necessarily the server's execution environment.
 */
environmentId?: string | null, };

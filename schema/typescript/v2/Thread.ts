// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { GitInfo } from "./GitInfo";
import type { SessionSource } from "./SessionSource";
import type { ThreadStatus } from "./ThreadStatus";
import type { Turn } from "./Turn";

/**
 * A conversation: its metadata and, in history reads, its turns.
 */
export type Thread = { id: string, 
/**
 * First user message text, or `""`.
 */
preview: string, name: string | null, modelProvider: string, 
/**
 * Unix seconds.
 */
createdAt: number, 
/**
 * Unix seconds.
 */
updatedAt: number, status: ThreadStatus, 
/**
 * The rollout file; null for ephemeral threads.
 */
path: string | null, cwd: string, cliVersion: string, source: SessionSource, agentNickname: string | null, agentRole: string | null, gitInfo: GitInfo | null, 
/**
 * Populated only by history reads (resume, fork, read with `includeTurns`).
 */
turns: Array<Turn>, 
/**
 * Whether the thread lives only in memory (no rollout).
 */
ephemeral: boolean, 
/**
 * The session tree the thread belongs to: its own id for a thread started or forked by a client.
 */
sessionId: string, 
/**
 * The project the server assigned the thread to; this server assigns none.
 */
projectId: string | null, };

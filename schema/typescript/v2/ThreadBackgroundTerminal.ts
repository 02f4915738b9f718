// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * One running session. The process statistics are always null here, as upstream sends them.
 */
export type ThreadBackgroundTerminal = { 
/**
 * The `commandExecution` item of the `exec_command` that started the session.
 */
itemId: string, 
/**
 * The session's id, as the model knows it (the item's `processId`).
 */
processId: string, command: string, cwd: string, osPid: number | null, cpuPercent: number | null, rssKb: number | null, };

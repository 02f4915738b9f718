// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A `thread/list` filter on the thread's source.
 */
export type ThreadSourceKind = "cli" | "vscode" | "exec" | "appServer" | "subAgent" | "subAgentReview" | "subAgentCompact" | "subAgentThreadSpawn" | "subAgentOther" | "unknown";

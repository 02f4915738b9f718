// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Result of `config/mcpServer/reload` (no params): `{}`; the servers are restarted from the config.
 */
export type McpServerRefreshResponse = Record<string, never>;

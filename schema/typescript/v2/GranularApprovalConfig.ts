// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which prompts the `granular` approval policy allows. Keys are snake_case, as upstream.
 */
export type GranularApprovalConfig = { sandbox_approval: boolean, rules: boolean, skill_approval: boolean, request_permissions: boolean, mcp_elicitations: boolean, };

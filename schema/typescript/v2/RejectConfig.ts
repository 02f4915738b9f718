// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Which approval prompts `AskForApproval::Reject` rejects automatically. Keys are snake_case.
 */
export type RejectConfig = { sandbox_approval: boolean, rules: boolean, mcp_elicitations: boolean, };

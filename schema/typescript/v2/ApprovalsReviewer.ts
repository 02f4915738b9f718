// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Who reviews approval requests.
 */
export type ApprovalsReviewer = "user" | "auto_review" | "guardian_subagent";

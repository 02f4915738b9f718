// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * A ChatGPT plan. Lowercase; any unknown string decodes to `unknown`.
 */
export type PlanType = "free" | "go" | "plus" | "pro" | "team" | "business" | "enterprise" | "edu" | "unknown";

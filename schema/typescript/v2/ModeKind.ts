// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * How the agent works with the user: `plan` plans without changing the workspace and may ask the user
 * questions; `default` does the work.
 */
export type ModeKind = "plan" | "default";

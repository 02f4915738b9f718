// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * The `sandbox` param of thread/start|resume|fork. Kebab-case on the wire; camelCase accepted on input.
 */
export type SandboxMode = "read-only" | "workspace-write" | "danger-full-access";

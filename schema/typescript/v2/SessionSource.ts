// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { JsonValue } from "../serde_json/JsonValue";

/**
 * Who started a thread. Externally tagged: unit variants are strings.
 */
export type SessionSource = "cli" | "vscode" | "exec" | "appServer" | { "subAgent": JsonValue } | "unknown";

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { PlanType } from "./PlanType";

/**
 * The signed-in account.
 */
export type Account = { "type": "apiKey" } | { "type": "chatgpt", email: string | null, planType: PlanType, };

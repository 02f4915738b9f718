// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { ModelRerouteReason } from "./ModelRerouteReason";

/**
 * `model/rerouted`: the provider served the turn with another model.
 */
export type ModelReroutedNotification = { threadId: string, turnId: string, fromModel: string, toModel: string, reason: ModelRerouteReason, };

// GENERATED CODE! DO NOT MODIFY BY HAND!

import type { UserInput } from "./UserInput";

/**
 * Params of `turn/steer`: extra input for the running turn.
 */
export type TurnSteerParams = { threadId: string, input: Array<UserInput>, 
/**
 * Must match the active turn, else the request fails.
 */
expectedTurnId: string, 
/**
 * The host's id for the user message, echoed as the message item's `clientId`.
 */
clientUserMessageId: string | null, };

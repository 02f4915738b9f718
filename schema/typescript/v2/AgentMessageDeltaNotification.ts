// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * `item/agentMessage/delta`: text to append to an agent message.
 */
export type AgentMessageDeltaNotification = { threadId: string, turnId: string, itemId: string, delta: string, };

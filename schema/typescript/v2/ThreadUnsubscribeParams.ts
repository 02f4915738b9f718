// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Params of `thread/unsubscribe`: the connection stops following the thread; a thread nobody follows is
 * unloaded (once its running turn, if any, has ended).
 */
export type ThreadUnsubscribeParams = { threadId: string, };
